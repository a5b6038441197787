/**
 * Work a Lambda function's init phase does beside the proxy's own `ready()`: the proxy builders
 * (token-proxy.ts) attach what only they know of, such as the client secret's source or the key
 * source, so that `warmUp` fetches them in parallel with discovery instead of one after another
 * (or in the first request). Tasks must be safe to repeat: a failure is not cached, and the
 * request that needs the value tries again.
 */
import type { Proxy as IdpProxy } from '@idp-proxy/core'

export type WarmUpTask = () => Promise<unknown>

const tasks = new WeakMap<IdpProxy, readonly WarmUpTask[]>()

/** Attaches `more` tasks to `proxy` (kept with any it has) and returns the proxy. */
export function withWarmUpTasks(proxy: IdpProxy, more: readonly WarmUpTask[]): IdpProxy {
  if (more.length > 0) tasks.set(proxy, [...(tasks.get(proxy) ?? []), ...more])
  return proxy
}

/** The tasks attached to `proxy`; empty when none. */
export function warmUpTasksOf(proxy: IdpProxy): readonly WarmUpTask[] {
  return tasks.get(proxy) ?? []
}
