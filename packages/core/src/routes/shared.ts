import { ProxyError } from '../errors.js'
import type { ResolvedOptions } from '../options.js'
import { type FlowRecord, type FlowStore, isPlausibleHandle } from '../stores/flow-store.js'

/** One value of a required parameter; a missing, empty or repeated one is a bad request. */
export function singleParam(params: URLSearchParams, name: string): string {
  const values = params.getAll(name)
  if (values.length !== 1 || !values[0]) {
    throw new ProxyError(
      'ERR_INVALID_REQUEST',
      values.length > 1 ? `${name} is repeated` : `${name} is required`,
    )
  }
  return values[0]
}

export function checkClient(options: ResolvedOptions, clientId: string): void {
  if (clientId !== options.clientId) {
    throw new ProxyError('ERR_UNKNOWN_CLIENT', 'client_id is not the configured client')
  }
}

export async function saveFlow(store: FlowStore, record: FlowRecord, ttl: number): Promise<string> {
  try {
    return await store.save(record, ttl)
  } catch (cause) {
    throw new ProxyError('ERR_STORE_UNAVAILABLE', 'the flow store is unavailable', { cause })
  }
}

/** Takes a record of the expected kind; unknown, used, expired or wrong-kind handles are absent. */
export async function takeFlow<K extends FlowRecord['kind']>(
  store: FlowStore,
  handle: string,
  kind: K,
): Promise<Extract<FlowRecord, { kind: K }> | undefined> {
  // Garbage never reaches a backend (sealed handles are the longest, a few KB at most).
  if (!isPlausibleHandle(handle, 16_384)) return undefined
  let record: FlowRecord | undefined
  try {
    record = await store.take(handle)
  } catch (cause) {
    throw new ProxyError('ERR_STORE_UNAVAILABLE', 'the flow store is unavailable', { cause })
  }
  return record?.kind === kind ? (record as Extract<FlowRecord, { kind: K }>) : undefined
}
