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
  banner: { js: banner },
  legalComments: 'none',
}
