/**
 * private_key_jwt as an oauth4webapi ClientAuth, on the proxy's own assertion signer (a KMS key
 * has no CryptoKey, so oauth4webapi's PrivateKeyJwt cannot be used). oauth4webapi calls it once
 * per request, so every request, a DPoP nonce retry included, carries a fresh assertion (new jti).
 *
 * token-exchange.ts builds the same ClientAuth inline today; the lead can make it call this one.
 */
import type * as oauth from 'oauth4webapi'
import { signClientAssertion } from '../assertion.js'
import type { Signer } from '../keys/key-source.js'

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

export interface AssertionAuthOptions {
  /** The assertion's `aud`: FAPI 2.0 wants the issuer, as one string. */
  audience: string
  lifetimeSeconds: number
  now: () => number
}

export function assertionClientAuth(
  signer: Signer,
  options: AssertionAuthOptions,
): oauth.ClientAuth {
  return async (_as, client, body) => {
    body.set('client_id', client.client_id)
    body.set('client_assertion_type', CLIENT_ASSERTION_TYPE)
    body.set(
      'client_assertion',
      await signClientAssertion(signer, {
        clientId: client.client_id,
        audience: options.audience,
        lifetimeSeconds: options.lifetimeSeconds,
        now: options.now(),
      }),
    )
  }
}
