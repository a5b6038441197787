/**
 * Decryption keys that never leave AWS KMS, for ID tokens (and userinfo answers) a FAPI 2.0 IdP
 * encrypts to the proxy. KMS does the key-management step only; core's `externalDecrypter` does
 * the rest of the JWE (Concat KDF, AES key unwrap, content decryption) on Web Crypto:
 *
 * - RSA-OAEP-256: an RSA_2048/3072/4096 key with key usage ENCRYPT_DECRYPT; kms:Decrypt with
 *   EncryptionAlgorithm RSAES_OAEP_SHA_256 returns the content encryption key.
 * - ECDH-ES, ECDH-ES+A128KW, ECDH-ES+A256KW: an ECC_NIST_P256/P384/P521 key with key usage
 *   KEY_AGREEMENT; kms:DeriveSharedSecret (KeyAgreementAlgorithm ECDH) with the JWE's ephemeral
 *   public key returns the raw shared secret Z.
 *
 * The public JWK (for the JWKS route, `use: "enc"`) comes from kms:GetPublicKey, fetched once.
 */
import type { KMSClient, KMSClientConfig } from '@aws-sdk/client-kms'
import {
  type Decrypter,
  type EncryptionPublicJwk,
  externalDecrypter,
  invalidOption,
  KEY_MANAGEMENT_ALGORITHMS,
  type KeyManagementAlgorithm,
  ProxyError,
} from '@idp-proxy/core'
import { calculateJwkThumbprint, exportJWK, importSPKI } from 'jose'
import { describe } from './cached-value.js'
import {
  KMS_DECRYPTION_ALGORITHMS,
  KMS_DECRYPTION_KEY_SPECS,
  type KmsDecryptionKeySpec,
} from './kms-specs.js'
import { type AsyncClientInput, lazyAsyncClient } from './lazy.js'

export {
  KMS_DECRYPTER_ACTIONS,
  KMS_DECRYPTION_ALGORITHMS,
  KMS_DECRYPTION_KEY_SPECS,
  type KmsDecryptionKeySpec,
  kmsDecrypterActionsFor,
  kmsDecryptionKeySpecsFor,
} from './kms-specs.js'

export interface KmsDecrypterOptions {
  /** Key id, ARN or alias of an ENCRYPT_DECRYPT RSA key or a KEY_AGREEMENT NIST EC key. */
  keyId: string
  /** The `kid` in the JWKS (the IdP puts it in the JWE header). Default: the RFC 7638 thumbprint. */
  kid?: string
  /**
   * For EC keys: ECDH-ES+A256KW (default), ECDH-ES+A128KW or ECDH-ES. RSA keys decrypt
   * RSA-OAEP-256 only.
   */
  alg?: KeyManagementAlgorithm
  client?: AsyncClientInput<KMSClient>
  /** Used only when `client` is not given. */
  clientConfig?: KMSClientConfig
}

function invalidKey(message: string): ProxyError {
  return new ProxyError('ERR_INVALID_KEY', message)
}

/**
 * A Decrypter over a KMS key: reads its public key once (GetPublicKey) and checks that the key
 * can do the one operation its algorithm needs. KMS failures are ERR_KEYS_UNAVAILABLE (the key
 * store is down), a ciphertext KMS refuses is a plain decryption failure.
 */
export async function kmsDecrypter(options: KmsDecrypterOptions): Promise<Decrypter> {
  if (!options.keyId) throw invalidOption('keyId', 'is required')
  const sdk = await import('./kms-sdk.js')
  const { DecryptCommand, DeriveSharedSecretCommand, GetPublicKeyCommand } = sdk
  const client = lazyAsyncClient(
    options.client,
    async () => new sdk.KMSClient(options.clientConfig ?? {}),
  )
  const { keyId } = options
  const output = await (await client()).send(new GetPublicKeyCommand({ KeyId: keyId }))
  const spec = output.KeySpec as KmsDecryptionKeySpec | undefined
  const known = spec && Object.hasOwn(KMS_DECRYPTION_KEY_SPECS, spec)
  if (!known || !output.PublicKey) {
    throw invalidKey(
      `the KMS key ${keyId} has the key spec ${String(output.KeySpec)}; a decryption key must be one of ${Object.keys(KMS_DECRYPTION_KEY_SPECS).join(', ')}`,
    )
  }
  const shape = KMS_DECRYPTION_KEY_SPECS[spec]
  if (output.KeyUsage !== shape.keyUsage) {
    throw invalidKey(
      `the KMS key ${keyId} (${spec}) has key usage ${String(output.KeyUsage)}; decrypting needs ${shape.keyUsage}`,
    )
  }
  const alg = algorithmFor(keyId, shape.kty, options.alg)
  if (shape.kty === 'RSA') {
    const offered = output.EncryptionAlgorithms
    if (offered && !offered.includes(KMS_DECRYPTION_ALGORITHMS.encryption)) {
      throw invalidKey(`the KMS key ${keyId} cannot decrypt with RSAES_OAEP_SHA_256`)
    }
  } else {
    const offered = output.KeyAgreementAlgorithms
    if (offered && !offered.includes(KMS_DECRYPTION_ALGORITHMS.keyAgreement)) {
      throw invalidKey(`the KMS key ${keyId} cannot derive ECDH shared secrets`)
    }
  }

  const pem = `-----BEGIN PUBLIC KEY-----\n${Buffer.from(output.PublicKey).toString('base64')}\n-----END PUBLIC KEY-----`
  const exported = await exportJWK(await importSPKI(pem, alg, { extractable: true }))
  const kid = options.kid ?? (await calculateJwkThumbprint(exported, 'sha256'))
  const publicJwk: EncryptionPublicJwk =
    shape.kty === 'RSA'
      ? { kty: 'RSA', kid, alg, use: 'enc', n: exported.n as string, e: exported.e as string }
      : {
          kty: 'EC',
          kid,
          alg,
          use: 'enc',
          crv: exported.crv as string,
          x: exported.x as string,
          y: exported.y as string,
        }
  // Decrypt and DeriveSharedSecret want the key ARN or id; keep what GetPublicKey resolved.
  const resolvedKeyId = output.KeyId ?? keyId

  if (shape.kty === 'RSA') {
    return externalDecrypter({
      publicJwk,
      async decryptKey(encryptedKey) {
        const result = await call('Decrypt', async () =>
          (await client()).send(
            new DecryptCommand({
              KeyId: resolvedKeyId,
              CiphertextBlob: encryptedKey,
              EncryptionAlgorithm: KMS_DECRYPTION_ALGORITHMS.encryption,
            }),
          ),
        )
        if (!result.Plaintext) throw new Error('KMS Decrypt returned no plaintext')
        return result.Plaintext
      },
    })
  }
  return externalDecrypter({
    publicJwk,
    async deriveSharedSecret(ephemeralPublicKeySpki) {
      const result = await call('DeriveSharedSecret', async () =>
        (await client()).send(
          new DeriveSharedSecretCommand({
            KeyId: resolvedKeyId,
            KeyAgreementAlgorithm: KMS_DECRYPTION_ALGORITHMS.keyAgreement,
            PublicKey: ephemeralPublicKeySpki,
          }),
        ),
      )
      if (!result.SharedSecret) throw new Error('KMS DeriveSharedSecret returned no secret')
      return result.SharedSecret
    },
  })
}

function algorithmFor(
  keyId: string,
  kty: 'RSA' | 'EC',
  given: KeyManagementAlgorithm | undefined,
): KeyManagementAlgorithm {
  if (given !== undefined && !KEY_MANAGEMENT_ALGORITHMS.includes(given)) {
    throw invalidOption('alg', `${JSON.stringify(given)} is not a JWE key-management algorithm`)
  }
  if (kty === 'RSA') {
    if (given && given !== 'RSA-OAEP-256') {
      throw invalidKey(`the KMS key ${keyId} is an RSA key; it decrypts RSA-OAEP-256, not ${given}`)
    }
    return 'RSA-OAEP-256'
  }
  if (given === 'RSA-OAEP-256') {
    throw invalidKey(`the KMS key ${keyId} is an EC key; it cannot decrypt RSA-OAEP-256`)
  }
  return given ?? 'ECDH-ES+A256KW'
}

/**
 * A KMS call whose failure means the key store is unavailable, except a ciphertext KMS refuses
 * (the JWE was not for this key, or was tampered with): that is the JWE's fault.
 */
async function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send()
  } catch (cause) {
    const name = (cause as { name?: string } | undefined)?.name
    if (name === 'InvalidCiphertextException' || name === 'ValidationException') {
      throw new Error(`KMS ${operation} refused the input`, { cause })
    }
    throw new ProxyError('ERR_KEYS_UNAVAILABLE', `KMS ${operation} failed: ${describe(cause)}`, {
      cause,
    })
  }
}
