/**
 * Building is part of deploying: the program bundles the lambda-adapter's Lambda entries itself,
 * with the adapter's own esbuild settings, so `pulumi up` never ships stale or missing bundles.
 * The output goes to a directory named by the hash of its content: the same sources give the
 * same directory (and the same archive hash, so no function update), new sources a new one.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleBuildOptions } from '@idp-proxy/lambda-adapter/bundle-options'
import { build } from 'esbuild'
import { BUNDLES, type BundleName } from './src/bundles.js'

/** The lambda-adapter's package directory (its entries are src/entries/<bundle>.ts). */
export const LAMBDA_ADAPTER_DIR = dirname(
  dirname(fileURLToPath(import.meta.resolve('@idp-proxy/lambda-adapter/bundle-options'))),
)

/** Where the program keeps its builds: ignored by git and the linters. */
export const DEFAULT_BUILD_ROOT = fileURLToPath(
  new URL('node_modules/.cache/idp-proxy-lambda', import.meta.url),
)

export interface BuiltBundles {
  /** `<root>/<hash>`, holding `<bundle>/index.mjs` and `<bundle>/chunks/`: the `bundleDir`. */
  dir: string
  hash: string
  /** False when a build with the same content was there already. */
  written: boolean
}

/** Builds `bundles` into `<root>/<content hash>/<bundle>/`; removes older builds. */
export async function buildBundles(
  root = DEFAULT_BUILD_ROOT,
  bundles: readonly BundleName[] = BUNDLES,
): Promise<BuiltBundles> {
  const outdir = join(root, 'staging')
  // One run per bundle, as the adapter's own build: each folder holds its index.mjs and the
  // chunks it loads on first use (the SDK clients), so a cold start parses only index.mjs.
  const results = await Promise.all(
    bundles.map((name) =>
      build({
        ...bundleBuildOptions(name, join(outdir, name)),
        absWorkingDir: LAMBDA_ADAPTER_DIR,
        write: false,
        logLevel: 'error',
      }),
    ),
  )
  const files = results
    .flatMap((result) => result.outputFiles)
    .map((file) => ({ path: relative(outdir, file.path), contents: file.contents }))
    .sort((a, b) => (a.path < b.path ? -1 : 1))
  const digest = createHash('sha256')
  for (const file of files)
    digest.update(`${file.path}\0${file.contents.length}\0`).update(file.contents)
  const hash = digest.digest('hex').slice(0, 16)
  const dir = join(root, hash)
  let written = false
  if (!existsSync(dir)) {
    // Written beside, then renamed: a half-written build is never taken for a complete one.
    const temporary = join(root, `.${hash}-${process.pid}`)
    for (const file of files) {
      mkdirSync(dirname(join(temporary, file.path)), { recursive: true })
      writeFileSync(join(temporary, file.path), file.contents)
    }
    renameSync(temporary, dir)
    written = true
  }
  for (const entry of readdirSync(root)) {
    if (entry !== hash) rmSync(join(root, entry), { recursive: true, force: true })
  }
  return { dir, hash, written }
}
