/**
 * GET /authorize (PKCE mode): Cognito's authorization request, forwarded to the IdP with a
 * PKCE challenge, the proxy's callback and an opaque state handle in place of Cognito's state.
 */
import { ProxyError } from '../errors.js'
import type { IdpMetadataSource } from '../idp-metadata.js'
import type { ResolvedOptions } from '../options.js'
import { codeChallengeS256, generateCodeVerifier, generateNonce } from '../pkce.js'
import { redirect } from '../responses.js'
import type { FlowStore } from '../stores/flow-store.js'
import { checkClient, checkQuerySize, saveFlow, singleParam } from './shared.js'

// Parameters the proxy replaces; everything else Cognito sends is forwarded.
const OWNED = new Set(['redirect_uri', 'state', 'code_challenge', 'code_challenge_method'])

export async function authorize(
  request: Request,
  options: ResolvedOptions,
  store: FlowStore,
  metadata: IdpMetadataSource,
): Promise<Response> {
  const query = checkQuerySize(new URL(request.url), options, {
    state: { max: options.maxStateBytes, option: 'maxStateBytes' },
  })
  checkClient(options, singleParam(query, 'client_id'))
  // Checked before anything else that could redirect: an unlisted redirect_uri never gets one.
  const redirectUri = singleParam(query, 'redirect_uri')
  if (!options.redirectUris.has(redirectUri)) {
    throw new ProxyError(
      'ERR_REDIRECT_URI_NOT_ALLOWED',
      'redirect_uri is not a configured Cognito redirect URI',
    )
  }
  const state = singleParam(query, 'state')
  if (singleParam(query, 'response_type') !== 'code') {
    throw new ProxyError('ERR_INVALID_REQUEST', 'response_type must be "code"')
  }

  const verifier = generateCodeVerifier()
  // Cognito's nonce if it sent one (then it checks the id_token too), else ours; either way the
  // proxy keeps it and checks the IdP's id_token against it at /token.
  const nonce = query.get('nonce') ?? (options.addNonce ? generateNonce() : undefined)
  const idp = await metadata()
  const challenge = codeChallengeS256(verifier)
  const handle = await saveFlow(
    store,
    { kind: 'authorize', state, redirectUri, verifier, ...(nonce ? { nonce } : {}) },
    options.flowTtl,
  )

  const target = new URL(idp.authorizationEndpoint)
  // One URLSearchParams, serialised once: each `target.searchParams.set` re-serialises the whole
  // query, and a Cognito state is ~1 KB.
  const params = new URLSearchParams(target.search)
  for (const [name, value] of query) if (!OWNED.has(name)) params.set(name, value)
  if (nonce) params.set('nonce', nonce)
  for (const [name, value] of Object.entries(options.authorizationParams)) params.set(name, value)
  params.set('redirect_uri', options.callbackUrl)
  params.set('state', handle)
  params.set('code_challenge', challenge)
  params.set('code_challenge_method', 'S256')
  target.search = params.toString()
  return redirect(target.href)
}
