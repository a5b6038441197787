import { utf8ByteLength } from '../encoding.js'
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

/** Longest handle ever looked up: sealed handles carry the record and are the longest. */
export const MAX_HANDLE_LENGTH = 16_384

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
  if (!isPlausibleHandle(handle, MAX_HANDLE_LENGTH)) return undefined
  let record: FlowRecord | undefined
  try {
    record = await store.take(handle, kind)
  } catch (cause) {
    throw new ProxyError('ERR_STORE_UNAVAILABLE', 'the flow store is unavailable', { cause })
  }
  // Every store checks the kind itself (and leaves a wrong-kind record usable); this is a backstop.
  return record?.kind === kind ? (record as Extract<FlowRecord, { kind: K }>) : undefined
}

/**
 * Bounds what an unauthenticated browser request can make the proxy carry: the whole query, each
 * value, and (tighter or looser, see options) `state`, which the store holds for a whole flow.
 */
export function checkQuerySize(
  url: URL,
  options: ResolvedOptions,
  limits: Readonly<Record<string, { max: number; option: string }>> = {},
): URLSearchParams {
  const query = url.searchParams
  if (utf8ByteLength(url.search) > options.maxQueryBytes) {
    throw new ProxyError(
      'ERR_INVALID_REQUEST',
      `the query is longer than maxQueryBytes (${options.maxQueryBytes} bytes)`,
      { status: 414 },
    )
  }
  for (const [name, value] of query) {
    const { max, option } = limits[name] ?? {
      max: options.maxParamBytes,
      option: 'maxParamBytes',
    }
    if (utf8ByteLength(value) > max) {
      throw new ProxyError(
        'ERR_INVALID_REQUEST',
        `${clipName(name)} is longer than ${option} (${max} bytes)`,
      )
    }
  }
  return query
}

function clipName(name: string): string {
  return /^[\w.-]{1,40}$/.test(name) ? name : 'a parameter'
}
