// The Lambda bundles and how to report their sizes; shared by build.mjs and sizes.mjs.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')
// One bundle per route function, and `all` for the single function that serves every route.
export const ROUTES = ['authorize', 'callback', 'token', 'all']

export function bundlePath(route) {
  return join(packageDir, 'dist', route, 'index.mjs')
}

/** index.mjs (what a cold start loads), and the chunks beside it (loaded on first use). */
export function sizeOf(route) {
  const bytes = readFileSync(bundlePath(route))
  const chunks = join(packageDir, 'dist', route, 'chunks')
  const lazy = existsSync(chunks)
    ? readdirSync(chunks).reduce((sum, name) => sum + statSync(join(chunks, name)).size, 0)
    : 0
  return { route, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, lazy }
}

export function formatKb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`
}
