/**
 * GET/POST /userinfo: Cognito calls it as it would call the IdP's userinfo, with the Bearer
 * handle it got at /token. The proxy takes the handle's record (one time: Cognito calls userinfo
 * once per sign-in), calls the IdP's userinfo with the IdP's access token (DPoP with `ath` when
 * it is DPoP-bound), and answers with JSON claims whatever the IdP's form (JSON, JWT, JWE).
 * An IdP without a userinfo endpoint (Singpass Login apps) is answered with the verified ID
 * token's user claims, kept in the record at /token.
 */
import { ProxyError } from '../errors.js'
import { fetchUserinfo, type UserinfoClaims } from '../fapi/userinfo.js'
import type { IdTokenVerifier } from '../id-token.js'
import { decryptersOf, dpopBinding, idpHttp, type ProxyState } from '../idp-client.js'
import type { IdpMetadataSource } from '../idp-metadata.js'
import type { ResolvedOptions } from '../options.js'
import { json } from '../responses.js'
import type { FlowStore } from '../stores/flow-store.js'
import { takeFlow } from './shared.js'

export async function userinfo(
  request: Request,
  options: ResolvedOptions,
  store: FlowStore,
  metadata: IdpMetadataSource,
  proxyState: ProxyState,
  verifier: IdTokenVerifier,
): Promise<Response> {
  const handle = bearerOf(request)
  const record = await takeFlow(store, handle, 'access')
  if (!record) throw invalidToken('the access token is unknown, expired or already used')

  const idp = await metadata()
  if (!idp.userinfoEndpoint) {
    return json({ ...record.claims, sub: record.sub })
  }
  const dpop =
    record.tokenType === 'dpop' && record.dpopKey
      ? await dpopBinding(options, proxyState, record.dpopKey)
      : undefined
  const [decrypters, idpKeys] = await Promise.all([
    decryptersOf(options),
    idp.jwksUri && verifier.keys ? verifier.keys(idp.jwksUri) : undefined,
  ])
  const claims: UserinfoClaims = await fetchUserinfo({
    server: idp.server,
    clientId: options.clientId,
    accessToken: record.accessToken,
    ...(dpop ? { dpop } : {}),
    expectedSubject: record.sub,
    ...(idpKeys ? { idpKeys } : {}),
    decrypters,
    contentEncryption: options.contentEncryption,
    http: idpHttp(options),
    now: options.now,
  })
  return json(claims)
}

/** The token of `Authorization: Bearer <token>` (RFC 6750 2.1), the only form Cognito sends. */
function bearerOf(request: Request): string {
  const header = request.headers.get('authorization')
  const match = header ? /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim()) : null
  if (!match) throw invalidToken('a Bearer access token is required')
  return match[1] as string
}

function invalidToken(message: string): ProxyError {
  return new ProxyError('ERR_INVALID_TOKEN', message)
}
