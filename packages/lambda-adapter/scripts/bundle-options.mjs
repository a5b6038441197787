// The esbuild settings of the Lambda bundles, shared by build.mjs and the benchmarks (which
// bundle parts the same way to measure what each costs at cold start).

// Bundled CommonJS dependencies (the AWS SDK) call require('node:https'); ESM has no `require`.
const banner =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"

/** @type {import('esbuild').BuildOptions} */
export const bundleOptions = {
  outExtension: { '.js': '.mjs' },
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  mainFields: ['module', 'main'],
  // The AWS SDK's packages map `module` to their ES modules and `node` to CommonJS. esbuild
  // drops its default `module` condition as soon as any condition is given (build.mjs gives
  // `source`), and the CommonJS copies cannot be tree-shaken: 675 KB with all of @smithy/core
  // (CBOR, event streams) and a browser user-agent parser evaluated at init, against 547 KB.
  // Whoever adds conditions keeps these (build.mjs: ['source', ...bundleOptions.conditions]).
  conditions: ['module'],
  banner: { js: banner },
  legalComments: 'none',
}

/**
 * What each bundle adds to `bundleOptions` when built on its own (build.mjs: one esbuild run per
 * bundle, `outdir` its folder, entry named `index`): the modules behind a dynamic `import()`
 * (the AWS SDK clients, used only off the lean path or with KMS) go to `chunks/` beside
 * index.mjs, so a cold start neither loads nor parses them (~450 KB, ~30 ms of CPU measured).
 * The folder is the function's code: ship all of it.
 */
/** @type {import('esbuild').BuildOptions} */
export const chunkOptions = {
  splitting: true,
  entryNames: 'index',
  chunkNames: 'chunks/[name]-[hash]',
}

/**
 * The esbuild options of one bundle, `name` (src/entries/<name>.ts), built on its own into
 * `outdir` (its folder: index.mjs and chunks/). The adapter's build and the Pulumi program's
 * both start from these; each adds where it works and writes.
 * @param {string} name
 * @param {string} outdir
 * @returns {import('esbuild').BuildOptions}
 */
export function bundleBuildOptions(name, outdir) {
  return {
    ...bundleOptions,
    ...chunkOptions,
    entryPoints: { index: `src/entries/${name}.ts` },
    outdir,
  }
}
