/**
 * A value fetched from a remote service and kept for a TTL, shared by the Secrets Manager key
 * source and the client-secret reader. Concurrent callers share one fetch. When a refresh fails
 * the last good value keeps being served (stale-if-error) with a warning, and the next attempt
 * waits a short back-off so a failing service is not hit on every request. With nothing cached
 * a failure is thrown, which the proxy answers with 503.
 */
import type { Logger } from '@idp-proxy/core'

export interface CachedValueOptions {
  /** Seconds a fetched value is fresh. */
  ttlSeconds: number
  /** Seconds to keep serving a stale value before retrying a failed refresh. Default min(ttl, 30). */
  retrySeconds?: number
  /** Names the value in log lines (e.g. the secret's ARN; never its content). */
  name: string
  logger?: Logger
  now?: () => number
}

/**
 * `load` receives the value held now (if any) so it can reuse work when nothing changed
 * (for example skip re-importing a key whose secret version is the same).
 */
export type Loader<T> = (previous: T | undefined) => Promise<T>

export function cachedValue<T>(load: Loader<T>, options: CachedValueOptions): () => Promise<T> {
  const now = options.now ?? (() => Date.now())
  const ttlMs = options.ttlSeconds * 1000
  const retryMs = (options.retrySeconds ?? Math.min(options.ttlSeconds, 30)) * 1000
  let value: T | undefined
  let has = false
  let freshUntil = 0
  let inflight: Promise<T> | undefined

  function refresh(): Promise<T> {
    inflight ??= load(has ? value : undefined)
      .then((loaded) => {
        value = loaded
        has = true
        freshUntil = now() + ttlMs
        return loaded
      })
      .catch((error: unknown) => {
        if (!has) throw error
        freshUntil = now() + retryMs
        options.logger?.log('warn', 'cached_value_refresh_failed', {
          name: options.name,
          cause: describe(error),
          staleForSeconds: retryMs / 1000,
        })
        return value as T
      })
      .finally(() => {
        inflight = undefined
      })
    return inflight
  }

  return () => (has && now() < freshUntil ? Promise.resolve(value as T) : refresh())
}

/** The error's class, code and message: what an operator needs, no payload. */
export function describe(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string } | undefined
  return [e?.name, e?.code, e?.message].filter(Boolean).join(': ').slice(0, 300)
}
