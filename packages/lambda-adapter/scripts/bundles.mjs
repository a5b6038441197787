// The Lambda bundles and how to report their sizes; shared by build.mjs and sizes.mjs.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')
// One bundle per route function, and `all` for the single function that serves every route.
export const ROUTES = ['authorize', 'callback', 'token', 'all']

export function bundlePath(route) {
  return join(packageDir, 'dist', route, 'index.mjs')
}

export function sizeOf(route) {
  const bytes = readFileSync(bundlePath(route))
  return { route, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
}

export function formatKb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`
}
