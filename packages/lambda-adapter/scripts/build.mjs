// Builds one minified ESM bundle per Lambda route function into dist/<route>/index.mjs, with the
// AWS SDK bundled in (the runtime's copy is not relied on), and prints each bundle's size.
// Returns the sizes and the files that went into the bundles.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { bundleOptions } from './bundle-options.mjs'
import { bundlePath, formatKb, packageDir, ROUTES, sizeOf } from './bundles.mjs'

export async function buildBundles({ quiet = false } = {}) {
  // Only the bundles' folders: dist/ also holds the package's tsc output (what npm installs).
  for (const route of ROUTES)
    rmSync(join(packageDir, 'dist', route), { recursive: true, force: true })
  const result = await build({
    absWorkingDir: packageDir,
    entryPoints: Object.fromEntries(ROUTES.map((route) => [route, `src/entries/${route}.ts`])),
    outdir: 'dist',
    entryNames: '[name]/index',
    ...bundleOptions,
    // The workspace packages' TypeScript sources, so bundling does not wait for their builds.
    conditions: ['source', ...bundleOptions.conditions],
    logLevel: quiet ? 'error' : 'warning',
    metafile: true,
  })
  const sizes = ROUTES.map(sizeOf)
  if (!quiet) {
    for (const { route, raw, gzip } of sizes) {
      console.log(
        `${bundlePath(route)
          .slice(packageDir.length + 1)
          .padEnd(24)} ${formatKb(raw).padStart(9)}  (${formatKb(gzip)} gzip)`,
      )
    }
  }
  return { sizes, inputs: Object.keys(result.metafile.inputs) }
}

if (import.meta.url === `file://${process.argv[1]}`) await buildBundles()
