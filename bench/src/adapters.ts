/** Where the benchmark finds the repository and the built Lambda bundle. */
import { existsSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const LAMBDA_DIST = join(REPO_ROOT, 'packages', 'lambda-adapter', 'dist')

/** A figure's input that may be missing, with the reason it is. */
export type Loaded<T> = T | { skipped: string }

export function isSkipped<T>(value: Loaded<T>): value is { skipped: string } {
  return typeof value === 'object' && value !== null && 'skipped' in value
}

/** The bundle of the function serving every route (`lambdaFunctions: single`). */
export function lambdaBundle(name: 'all'): Loaded<{ path: string; bytes: number }> {
  const path = join(LAMBDA_DIST, name, 'index.mjs')
  if (!existsSync(path)) {
    return { skipped: `${name} bundle not built (pnpm --filter @idp-proxy/lambda-adapter build)` }
  }
  return { path, bytes: statSync(path).size }
}
