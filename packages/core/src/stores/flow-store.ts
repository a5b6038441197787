/**
 * Flow storage: what the proxy remembers between /authorize, /callback and /token.
 *
 * The IdP never sees Cognito's `state` and Cognito never sees the IdP's `code`: each side gets an
 * opaque handle from the store instead. That lets a server-side store (memory, DynamoDB, Redis)
 * and a sealed store (the handle *is* the encrypted record) share one interface.
 */
import { sha256Base64url } from '../encoding.js'
import { type DpopPrivateJwk, isDpopPrivateJwk } from '../fapi/dpop.js'

/** Saved at /authorize, taken at /callback. */
export interface AuthorizeFlow {
  kind: 'authorize'
  /** Cognito's `state`, returned to it unchanged. */
  state: string
  /** Cognito's `redirect_uri` (already checked against the allow-list). */
  redirectUri: string
  /** The PKCE code verifier sent to the IdP at /token. */
  verifier: string
  /** The `nonce` sent to the IdP (Cognito's, or the one the proxy added), checked at /token. */
  nonce?: string
  /** The sign-in's DPoP private key (DPoP on): used at PAR, token and userinfo, never logged. */
  dpopKey?: DpopPrivateJwk
}

/** Saved at /callback, taken at /token. */
export interface CodeFlow {
  kind: 'code'
  /** The IdP's authorization code. */
  code: string
  verifier: string
  /** Cognito's `redirect_uri`, which /token must present again (RFC 6749 4.1.3). */
  redirectUri: string
  /** The nonce of the authorization request, which the IdP's id_token must carry. */
  nonce?: string
  /** The sign-in's DPoP key, carried from /authorize to the token request. */
  dpopKey?: DpopPrivateJwk
}

/**
 * Saved at /token when the proxy fronts userinfo, taken at /userinfo: the IdP's access token (and
 * its DPoP key) behind the opaque Bearer handle Cognito is given instead. Cognito never holds the
 * IdP's token. One-time, like the others: Cognito calls userinfo once per sign-in.
 */
export interface AccessFlow {
  kind: 'access'
  /** The IdP's access token. */
  accessToken: string
  /** `dpop` when the IdP bound it to `dpopKey` (token_type DPoP), else `bearer`. */
  tokenType: 'dpop' | 'bearer'
  dpopKey?: DpopPrivateJwk
  /** The verified ID token's `sub`: the IdP's userinfo must name the same subject. */
  sub: string
  /**
   * The verified ID token's user claims (token-only claims removed), answered at /userinfo when
   * the IdP has no userinfo endpoint (Singpass Login apps).
   */
  claims: Record<string, unknown>
}

export type FlowRecord = AuthorizeFlow | CodeFlow | AccessFlow

export type FlowKind = FlowRecord['kind']

/** Every kind of record, for stores that keep one bound or one attribute per kind. */
export const FLOW_KINDS: readonly FlowKind[] = ['authorize', 'code', 'access']

export interface FlowStore {
  /** Stores `record` for `ttlSeconds` and returns an opaque, unguessable handle for it. */
  save(record: FlowRecord, ttlSeconds: number): Promise<string>
  /**
   * Returns the record and forgets it, atomically: of two concurrent takes of one handle, at most
   * one gets the record. Returns `undefined` for an unknown, taken or expired handle, and for a
   * record of another `kind`, which stays usable: a code handle presented as `state` at /callback
   * (which needs no authentication) must not destroy the code Cognito is about to redeem.
   */
  take(handle: string, kind: FlowKind): Promise<FlowRecord | undefined>
}

/**
 * The storage key for a handle: base64url(SHA-256(handle)). Server-side stores key records by it
 * so that a leaked table or dump holds no handle that could be replayed.
 */
export function storageKey(handle: string): Promise<string> {
  return Promise.resolve(storageKeySync(handle))
}

/** `storageKey`, synchronously (SHA-256 in pure JS: about a microsecond for a handle). */
export function storageKeySync(handle: string): string {
  return sha256Base64url(handle)
}

/** Serialises a record for a store that keeps strings. */
export function encodeRecord(record: FlowRecord): string {
  return JSON.stringify(record)
}

/** Parses a stored record; anything that is not a well-formed record reads as absent. */
export function decodeRecord(text: string): FlowRecord | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  return isFlowRecord(value) ? value : undefined
}

export function isFlowRecord(value: unknown): value is FlowRecord {
  if (typeof value !== 'object' || value === null) return false
  const r = value as Record<string, unknown>
  const strings = (...keys: string[]) => keys.every((k) => typeof r[k] === 'string')
  if (r.nonce !== undefined && typeof r.nonce !== 'string') return false
  if (r.dpopKey !== undefined && !isDpopPrivateJwk(r.dpopKey)) return false
  if (r.kind === 'authorize') return strings('state', 'redirectUri', 'verifier')
  if (r.kind === 'code') return strings('code', 'verifier', 'redirectUri')
  if (r.kind === 'access') {
    return (
      strings('accessToken', 'sub') &&
      (r.tokenType === 'dpop' || r.tokenType === 'bearer') &&
      typeof r.claims === 'object' &&
      r.claims !== null &&
      !Array.isArray(r.claims)
    )
  }
  return false
}

/** Handles are random and base64url: anything else is refused before touching a backend. */
export function isPlausibleHandle(handle: string, maxLength = 4096): boolean {
  return handle.length >= 16 && handle.length <= maxLength && /^[A-Za-z0-9_.~-]+$/.test(handle)
}
