/**
 * The IdP endpoints Cognito and the proxy need, from explicit configuration or the issuer's
 * OpenID discovery document (fetched at deploy time, so the stack does not depend on the IdP
 * being reachable when a Lambda function starts).
 */

export interface IdpEndpoints {
  authorizationEndpoint: string
  tokenEndpoint: string
  userinfoEndpoint: string
  jwksUri: string
}

const FIELDS = {
  authorizationEndpoint: 'authorization_endpoint',
  tokenEndpoint: 'token_endpoint',
  userinfoEndpoint: 'userinfo_endpoint',
  jwksUri: 'jwks_uri',
} as const satisfies Record<keyof IdpEndpoints, string>

export function missingEndpoints(explicit: Partial<IdpEndpoints>): (keyof IdpEndpoints)[] {
  return (Object.keys(FIELDS) as (keyof IdpEndpoints)[]).filter((field) => !explicit[field])
}

/** `<issuer>/.well-known/openid-configuration`, keeping the issuer's path (OIDC Discovery 4). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
}

/**
 * Fills the endpoints not given explicitly from the discovery document. Explicit values win.
 * Errors name the issuer and what is wrong, never a response body.
 */
export async function resolveEndpoints(
  issuer: string,
  explicit: Partial<IdpEndpoints>,
  fetchImpl: typeof fetch = fetch,
): Promise<IdpEndpoints> {
  const missing = missingEndpoints(explicit)
  if (missing.length === 0) return explicit as IdpEndpoints
  const url = discoveryUrl(issuer)
  let response: Response
  try {
    response = await fetchImpl(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    })
  } catch (error) {
    throw new Error(`IdP discovery failed: ${url} is unreachable (${(error as Error).name})`)
  }
  if (!response.ok) throw new Error(`IdP discovery failed: ${url} answered ${response.status}`)
  let document: Record<string, unknown>
  try {
    document = (await response.json()) as Record<string, unknown>
  } catch {
    throw new Error(`IdP discovery failed: ${url} did not return JSON`)
  }
  // OIDC Discovery 4.3: the document's issuer must be exactly the configured one.
  if (document.issuer !== issuer) {
    throw new Error(
      `IdP discovery failed: ${url} names issuer ${JSON.stringify(document.issuer)}, configured ${issuer}`,
    )
  }
  const endpoints = { ...explicit }
  for (const field of missing) {
    const value = document[FIELDS[field]]
    if (typeof value !== 'string' || !value.startsWith('https://')) {
      throw new Error(`IdP discovery failed: ${url} has no https ${FIELDS[field]}`)
    }
    endpoints[field] = value
  }
  return endpoints as IdpEndpoints
}
