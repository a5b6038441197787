/**
 * GET /callback (PKCE mode): the IdP's answer. The state handle is taken (one time); the IdP's
 * code is swapped for a new handle, and the browser goes back to Cognito with Cognito's state.
 */
import { ProxyError } from '../errors.js'
import type { IdpMetadataSource } from '../idp-metadata.js'
import type { ResolvedOptions } from '../options.js'
import { redirect } from '../responses.js'
import type { FlowStore } from '../stores/flow-store.js'
import { checkQuerySize, MAX_HANDLE_LENGTH, saveFlow, singleParam, takeFlow } from './shared.js'

// Error fields an IdP may send back that Cognito understands; anything else is dropped.
const ERROR_FIELDS = ['error', 'error_description', 'error_uri'] as const

export async function callback(
  request: Request,
  options: ResolvedOptions,
  store: FlowStore,
  metadata: IdpMetadataSource,
): Promise<Response> {
  // The state is our own handle (a sealed one carries Cognito's state, so it may be long).
  const query = checkQuerySize(new URL(request.url), options, {
    state: { max: MAX_HANDLE_LENGTH, option: 'the handle length' },
  })
  const handle = singleParam(query, 'state')
  const flow = await takeFlow(store, handle, 'authorize')
  if (!flow) {
    throw new ProxyError(
      'ERR_FLOW_NOT_FOUND',
      'this sign-in has expired or was already used; start again from the application',
      { status: 400 },
    )
  }
  // The redirect_uri in the record was checked against the allow-list at /authorize, and the
  // record is tamper-proof (server-side, or sealed): redirecting to it is not an open redirect.
  const back = new URL(flow.redirectUri)

  const iss = query.get('iss')
  if (iss !== null && iss !== (await metadata()).issuer) {
    // RFC 9207: the answer comes from another issuer (mix-up). Tell Cognito, keep its state.
    back.searchParams.set('error', 'invalid_request')
    back.searchParams.set(
      'error_description',
      'the authorization response came from an unexpected issuer',
    )
    back.searchParams.set('state', flow.state)
    return redirect(back.href)
  }

  if (query.has('error')) {
    for (const field of ERROR_FIELDS) {
      const value = query.get(field)
      if (value) back.searchParams.set(field, value)
    }
    back.searchParams.set('state', flow.state)
    return redirect(back.href)
  }

  if (!query.has('code')) {
    // Neither a code nor an error: the flow is used up, so tell Cognito rather than dead-end the
    // user on a proxy page.
    back.searchParams.set('error', 'invalid_request')
    back.searchParams.set('error_description', 'the IdP answered without a code or an error')
    back.searchParams.set('state', flow.state)
    return redirect(back.href)
  }
  const code = singleParam(query, 'code')
  const codeHandle = await saveFlow(
    store,
    {
      kind: 'code',
      code,
      verifier: flow.verifier,
      redirectUri: flow.redirectUri,
      ...(flow.nonce ? { nonce: flow.nonce } : {}),
      // The DPoP key the code is bound to (PAR with a proof, or dpop_jkt): needed at /token.
      ...(flow.dpopKey ? { dpopKey: flow.dpopKey } : {}),
    },
    options.codeTtl,
  )
  back.searchParams.set('code', codeHandle)
  back.searchParams.set('state', flow.state)
  return redirect(back.href)
}
