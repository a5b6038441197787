/**
 * A KeySource whose private key never leaves AWS KMS: client assertions are signed with the KMS
 * Sign API (MessageType RAW) and the public JWK comes from GetPublicKey (fetched once per
 * container: a KMS key's material never changes). Every JWS algorithm of core's table has a KMS
 * key spec: RSA_2048/3072/4096 (RS*, PS*), ECC_NIST_P256/P384/P521 (ES256/384/512) and
 * ECC_NIST_EDWARDS25519 (EdDSA, KMS's ED25519_SHA_512: pure Ed25519 over the raw message).
 */
import type { KMSClient, KMSClientConfig } from '@aws-sdk/client-kms'
import {
  curveOf,
  type Decrypter,
  invalidOption,
  isRsaAlgorithm,
  type Jwks,
  type KeySource,
  ProxyError,
  type PublicJwk,
  type PublishedJwk,
  type Signer,
  type SigningAlgorithm,
  type SigningCurve,
} from '@idp-proxy/core'
import { calculateJwkThumbprint, exportJWK, importSPKI } from 'jose'
import { describe } from './cached-value.js'
import { derToJose } from './ecdsa-der.js'
import { type KmsDecrypterOptions, kmsDecrypter } from './kms-decrypter.js'
import { KMS_KEY_SPECS, KMS_SIGNING_ALGORITHMS } from './kms-specs.js'
import { type AsyncClientInput, lazyAsyncClient } from './lazy.js'

/** Ed25519 signatures are 64 bytes (RFC 8032 5.1.6): KMS returns them as they are, not DER. */
const ED25519_SIGNATURE_BYTES = 64

export interface KmsKeySourceOptions {
  /**
   * Key id, ARN or alias of an asymmetric SIGN_VERIFY key: RSA_2048/3072/4096,
   * ECC_NIST_P256/P384/P521 or ECC_NIST_EDWARDS25519.
   */
  keyId: string
  /** The `kid` in assertions and the JWKS. Default: the public JWK's RFC 7638 thumbprint. */
  kid?: string
  /** For RSA keys: RS256 (default) or PS256/… EC and Ed25519 keys sign with their curve's algorithm. */
  alg?: SigningAlgorithm
  /**
   * KMS decryption keys (ENCRYPT_DECRYPT RSA or KEY_AGREEMENT EC) for encrypted ID tokens; they
   * use this source's client. Published in the JWKS with `use: "enc"`, after the signing key.
   */
  decryptionKeys?: readonly Omit<KmsDecrypterOptions, 'client' | 'clientConfig'>[]
  /** A KMS client, or a function giving one. Default: one made on first use (the SDK's module is imported then). */
  client?: AsyncClientInput<KMSClient>
  /** Used only when `client` is not given. */
  clientConfig?: KMSClientConfig
}

interface KmsKey {
  signer: Signer
  jwk: PublicJwk
}

export class KmsKeySource implements KeySource {
  readonly #options: KmsKeySourceOptions
  readonly #client: () => Promise<KMSClient>
  #key: Promise<KmsKey> | undefined
  #decrypters: Promise<readonly Decrypter[]> | undefined

  constructor(options: KmsKeySourceOptions) {
    if (!options.keyId) throw invalidOption('keyId', 'is required')
    this.#options = options
    this.#client = lazyAsyncClient(
      options.client,
      async () => new (await import('./kms-sdk.js')).KMSClient(options.clientConfig ?? {}),
    )
  }

  async signer(): Promise<Signer> {
    return (await this.#load()).signer
  }

  async publicJwks(): Promise<Jwks<PublishedJwk>> {
    const [key, decrypters] = await Promise.all([this.#load(), this.decrypters()])
    return { keys: [key.jwk, ...decrypters.map((decrypter) => decrypter.publicJwk())] }
  }

  /** The KMS decryption keys, read once (GetPublicKey); empty without `decryptionKeys`. */
  decrypters(): Promise<readonly Decrypter[]> {
    const keys = this.#options.decryptionKeys ?? []
    this.#decrypters ??= Promise.all(
      keys.map((key) => kmsDecrypter({ ...key, client: this.#client })),
    ).catch((error: unknown) => {
      this.#decrypters = undefined
      throw error
    })
    return this.#decrypters
  }

  #load(): Promise<KmsKey> {
    // A failed GetPublicKey is not cached: the next request tries again.
    this.#key ??= this.#describe().catch((error: unknown) => {
      this.#key = undefined
      throw error
    })
    return this.#key
  }

  async #describe(): Promise<KmsKey> {
    const { keyId } = this.#options
    const { GetPublicKeyCommand, SignCommand } = await import('./kms-sdk.js')
    const output = await (await this.#client()).send(new GetPublicKeyCommand({ KeyId: keyId }))
    if (output.KeyUsage !== 'SIGN_VERIFY' || !output.PublicKey || !output.KeySpec) {
      throw new ProxyError(
        'ERR_INVALID_KEY',
        `the KMS key ${keyId} is not an asymmetric signing key`,
      )
    }
    const alg = this.#algorithm(output.KeySpec)
    const spec = KMS_SIGNING_ALGORITHMS[alg]
    const curve = curveOf(curveOfKeySpec(output.KeySpec))
    // ECDSA comes back DER-encoded; Ed25519 and RSA signatures are used as they are.
    const ecSize = curve?.kty === 'EC' ? curve.size : undefined
    if (output.SigningAlgorithms && !output.SigningAlgorithms.includes(spec)) {
      throw new ProxyError(
        'ERR_INVALID_KEY',
        `the KMS key ${keyId} cannot sign with ${spec} (${alg})`,
      )
    }

    const pem = `-----BEGIN PUBLIC KEY-----\n${Buffer.from(output.PublicKey).toString('base64')}\n-----END PUBLIC KEY-----`
    const exported = await exportJWK(await importSPKI(pem, alg, { extractable: true }))
    const kid = this.#options.kid ?? (await calculateJwkThumbprint(exported, 'sha256'))
    const jwk = { ...exported, kid, alg, use: 'sig' } as PublicJwk
    const client = this.#client
    // KMS wants the key ARN or id; keep what GetPublicKey resolved an alias to.
    const signingKeyId = output.KeyId ?? keyId

    const signer: Signer = {
      kid,
      alg,
      async sign(data) {
        let signature: Uint8Array | undefined
        try {
          const result = await (await client()).send(
            new SignCommand({
              KeyId: signingKeyId,
              Message: data,
              MessageType: 'RAW',
              SigningAlgorithm: spec,
            }),
          )
          signature = result.Signature
        } catch (cause) {
          throw new ProxyError('ERR_KEYS_UNAVAILABLE', `KMS Sign failed: ${describe(cause)}`, {
            cause,
          })
        }
        if (!signature) {
          throw new ProxyError('ERR_KEYS_UNAVAILABLE', 'KMS Sign returned no signature')
        }
        if (ecSize) return derToJose(signature, ecSize)
        if (alg === 'EdDSA' && signature.length !== ED25519_SIGNATURE_BYTES) {
          throw new ProxyError('ERR_KEYS_UNAVAILABLE', 'KMS returned a malformed Ed25519 signature')
        }
        return signature
      },
    }
    return { signer, jwk }
  }

  #algorithm(keySpec: string): SigningAlgorithm {
    const { keyId, alg } = this.#options
    const curveAlg = curveOf(curveOfKeySpec(keySpec))?.alg
    if (curveAlg) {
      if (alg && alg !== curveAlg) {
        throw new ProxyError(
          'ERR_INVALID_KEY',
          `the KMS key ${keyId} is ${keySpec}, which signs ${curveAlg}, not ${alg}`,
        )
      }
      return curveAlg
    }
    if (keySpec.startsWith('RSA_')) {
      const chosen = alg ?? 'RS256'
      if (!isRsaAlgorithm(chosen)) {
        throw new ProxyError(
          'ERR_INVALID_KEY',
          `the KMS key ${keyId} is ${keySpec}; ${chosen} needs an EC key`,
        )
      }
      return chosen
    }
    throw new ProxyError(
      'ERR_INVALID_KEY',
      `the KMS key ${keyId} has the unsupported key spec ${keySpec}`,
    )
  }
}

function curveOfKeySpec(keySpec: string): SigningCurve | undefined {
  const key = (KMS_KEY_SPECS as Record<string, { crv?: SigningCurve }>)[keySpec]
  return key?.crv
}
