import { type Jwks, type PublishedJwk, type Signer, signClientAssertion } from '@idp-proxy/core'
import { exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify } from 'jose'

/** A private RSA JWK with a kid: the seed's key format. */
export async function seedJwk(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 })
  return { ...(await exportJWK(privateKey)), kid, use: 'sig' }
}

/** Signs a client assertion with `signer` and verifies it with jose against the public JWKS. */
export async function signAndVerify(signer: Signer, jwks: Jwks<PublishedJwk>) {
  const jwt = await signClientAssertion(signer, {
    clientId: 'client-1',
    audience: 'https://idp.example.com/token',
    lifetimeSeconds: 60,
    now: Date.now(),
  })
  const jwk = jwks.keys.find((k) => k.kid === signer.kid)
  if (!jwk) throw new Error(`no public key with kid ${signer.kid}`)
  const key = await importJWK(jwk as JWK, signer.alg)
  return jwtVerify(jwt, key, {
    algorithms: [signer.alg],
    audience: 'https://idp.example.com/token',
    issuer: 'client-1',
  })
}

/** A logger that keeps every line, for asserting on warnings (and on what they leave out). */
export function memoryLogger() {
  const lines: { level: string; event: string; fields: Record<string, unknown> }[] = []
  return {
    lines,
    logger: {
      log(level: string, event: string, fields: Record<string, unknown> = {}) {
        lines.push({ level, event, fields })
      },
    },
  }
}
