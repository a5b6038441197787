// Builds one minified ESM bundle per Lambda route function into dist/<route>/index.mjs, with the
// AWS SDK bundled in (the runtime's copy is not relied on) in dist/<route>/chunks/, loaded only
// when an SDK client is used, and prints each bundle's size.
// Returns the sizes and the files that went into the bundles.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { bundleBuildOptions, bundleOptions } from './bundle-options.mjs'
import { bundlePath, formatKb, packageDir, ROUTES, sizeOf } from './bundles.mjs'

export async function buildBundles({ quiet = false } = {}) {
  // Only the bundles' folders: dist/ also holds the package's tsc output (what npm installs).
  for (const route of ROUTES)
    rmSync(join(packageDir, 'dist', route), { recursive: true, force: true })
  // One run per bundle: each folder holds its index.mjs and its own lazy chunks.
  const results = await Promise.all(
    ROUTES.map((route) =>
      build({
        ...bundleBuildOptions(route, join('dist', route)),
        absWorkingDir: packageDir,
        // The workspace packages' TypeScript sources, so bundling does not wait for their builds.
        conditions: ['source', ...bundleOptions.conditions],
        logLevel: quiet ? 'error' : 'warning',
        metafile: true,
      }),
    ),
  )
  const sizes = ROUTES.map(sizeOf)
  if (!quiet) {
    for (const { route, raw, gzip, lazy } of sizes) {
      console.log(
        `${bundlePath(route)
          .slice(packageDir.length + 1)
          .padEnd(
            24,
          )} ${formatKb(raw).padStart(9)}  (${formatKb(gzip)} gzip; ${formatKb(lazy)} in chunks/, loaded on use)`,
      )
    }
  }
  const inputs = new Set(results.flatMap((result) => Object.keys(result.metafile.inputs)))
  return { sizes, inputs: [...inputs] }
}

if (import.meta.url === `file://${process.argv[1]}`) await buildBundles()
