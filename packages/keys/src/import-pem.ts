/**
 * Turns an existing PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC; RSA, EC P-256/384/521 or
 * Ed25519), optionally with its X.509 certificate, into the private JWK form: a signing key, or
 * with `use: "enc"` an encryption key. node:crypto parses every PEM flavour (jose only reads
 * PKCS#8) and checks that the certificate belongs to the key.
 */
import { createHash, createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto'
import {
  curveOfNamedCurve,
  ENCRYPTION_CURVES,
  isRsaAlgorithm,
  type KeyManagementAlgorithm,
  type PrivateEncryptionJwk,
  type PrivateJwk,
  ProxyError,
  SIGNING_CURVE_NAMES,
  type SigningAlgorithm,
} from '@idp-proxy/core'
import {
  checkAlgorithm,
  checkEncryptionAlgorithm,
  checkUse,
  DEFAULT_ENCRYPTION_ALGORITHM,
} from './generate.js'
import { type KeyMembers, type KeyUse, toPrivateJwk } from './jwk-form.js'
import { isLegacyEncrypted, type PemBlock, PRIVATE_KEY_LABELS, pemBlocks } from './pem.js'

export interface ImportPemOptions {
  /** PEM text of the certificate (or chain, leaf first). Certificates in the key's PEM count too. */
  certificate?: string
  /** Default: the RFC 7638 thumbprint of the public key. */
  kid?: string
  /**
   * Signing keys: for RSA keys RS256 (default) or PS256...; EC and Ed25519 keys sign with their
   * curve's algorithm. Encryption keys: RSA-OAEP-256 for RSA, ECDH-ES+A256KW (default) or
   * ECDH-ES/ECDH-ES+A128KW for EC.
   */
  alg?: string
  /** `sig` (default) or `enc` (a key the IdP encrypts ID tokens to). */
  use?: KeyUse
}

/** What the certificate says, for the CLI to show (nothing secret). */
export interface CertificateInfo {
  subject: string
  validFrom: Date
  validTo: Date
  /** base64url SHA-256 of the leaf's DER: the `x5t#S256` Entra ID matches. */
  thumbprint: string
  chainLength: number
}

export interface ImportedKey {
  jwk: PrivateJwk | PrivateEncryptionJwk
  certificate?: CertificateInfo
}

function invalidKey(message: string): ProxyError {
  return new ProxyError('ERR_INVALID_KEY', message)
}

export async function importPem(
  keyPem: string,
  options: ImportPemOptions = {},
): Promise<ImportedKey> {
  const use = checkUse(options.use ?? 'sig')
  const blocks = pemBlocks(keyPem)
  const keyObject = privateKeyOf(blocks)
  const members = exportMembers(keyObject)
  if (use === 'enc') {
    if (
      options.certificate !== undefined ||
      blocks.some((block) => block.label === 'CERTIFICATE')
    ) {
      throw invalidKey('certificates go with signing keys; import an encryption key without one')
    }
    const alg = encryptionAlgorithmFor(keyObject, options.alg)
    return {
      jwk: await toPrivateJwk(members, {
        use: 'enc',
        alg,
        ...(options.kid === undefined ? {} : { kid: options.kid }),
      }),
    }
  }
  const alg = algorithmFor(keyObject, options.alg)

  const certBlocks = [
    ...pemBlocks(options.certificate ?? ''),
    ...blocks.filter((block) => block.label === 'CERTIFICATE'),
  ]
  if (
    options.certificate !== undefined &&
    !pemBlocks(options.certificate).some((b) => b.label === 'CERTIFICATE')
  ) {
    throw invalidKey('the certificate file holds no PEM "CERTIFICATE" block')
  }
  const chain = certificateChain(certBlocks, keyObject)
  const leaf = chain[0]
  const thumbprint = leaf ? createHash('sha256').update(leaf.raw).digest('base64url') : undefined

  const jwk = await toPrivateJwk(members, {
    alg,
    ...(options.kid === undefined ? {} : { kid: options.kid }),
    ...(leaf ? { x5c: chain.map((cert) => cert.raw.toString('base64')), x5tS256: thumbprint } : {}),
  })
  if (!leaf || !thumbprint) return { jwk }
  return {
    jwk,
    certificate: {
      subject: leaf.subject.replace(/\n/g, ', '),
      validFrom: new Date(leaf.validFrom),
      validTo: new Date(leaf.validTo),
      thumbprint,
      chainLength: chain.length,
    },
  }
}

function privateKeyOf(blocks: PemBlock[]): KeyObject {
  if (
    blocks.some((block) => block.label === 'ENCRYPTED PRIVATE KEY') ||
    blocks.some(isLegacyEncrypted)
  ) {
    throw invalidKey(
      'the private key is encrypted; decrypt it first (openssl pkey -in key.pem -out plain.pem) and keep the result private',
    )
  }
  const keyBlocks = blocks.filter((block) =>
    (PRIVATE_KEY_LABELS as readonly string[]).includes(block.label),
  )
  if (keyBlocks.length === 0) {
    const found = blocks.map((block) => `"${block.label}"`).join(', ')
    throw invalidKey(
      found
        ? `the key file holds no private key (found ${found}); pass a certificate with --cert and the private key with --key`
        : 'the key file is not PEM: expected a PEM block labelled PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY',
    )
  }
  if (keyBlocks.length > 1)
    throw invalidKey('the key file holds more than one private key; give one')
  try {
    return createPrivateKey((keyBlocks[0] as PemBlock).text)
  } catch {
    // OpenSSL's message says nothing useful to a user and may quote the input: keep ours.
    throw invalidKey(
      `the "${(keyBlocks[0] as PemBlock).label}" block could not be parsed as a private key`,
    )
  }
}

function exportMembers(keyObject: KeyObject): KeyMembers {
  if (keyObject.asymmetricKeyType === 'rsa-pss') {
    throw invalidKey(
      'the key is an RSA-PSS-restricted key (id-RSASSA-PSS), which has no JWK form; use a plain RSA key (openssl genpkey -algorithm RSA): it signs PS256 too',
    )
  }
  const type = keyObject.asymmetricKeyType
  if (type !== 'rsa' && type !== 'ec' && type !== 'ed25519') {
    throw invalidKey(
      `the key is of type ${type ?? 'unknown'}; only RSA, EC and Ed25519 keys can sign (RSA and EC keys decrypt)`,
    )
  }
  try {
    return keyObject.export({ format: 'jwk' }) as KeyMembers
  } catch {
    throw invalidKey(
      `the ${keyObject.asymmetricKeyType} key could not be exported as a JWK (unsupported curve?)`,
    )
  }
}

function algorithmFor(keyObject: KeyObject, given: string | undefined): SigningAlgorithm {
  const alg = given === undefined ? undefined : checkAlgorithm(given)
  if (keyObject.asymmetricKeyType === 'rsa') {
    if (alg && !isRsaAlgorithm(alg)) {
      throw invalidKey(`the key is an RSA key; it cannot sign ${alg} (use RS256 or PS256)`)
    }
    return alg ?? 'RS256'
  }
  // Ed25519 keys have no namedCurve; the table names the key type in its place.
  const curve =
    keyObject.asymmetricKeyType === 'ed25519'
      ? 'ed25519'
      : keyObject.asymmetricKeyDetails?.namedCurve
  const curveAlg: SigningAlgorithm | undefined = curveOfNamedCurve(curve)?.alg
  if (!curveAlg)
    throw invalidKey(
      `the EC key is on the unsupported curve ${curve ?? 'unknown'}; use ${SIGNING_CURVE_NAMES}`,
    )
  if (alg && alg !== curveAlg)
    throw invalidKey(`the EC key is on ${curve}, which signs ${curveAlg}, not ${alg}`)
  return curveAlg
}

function encryptionAlgorithmFor(
  keyObject: KeyObject,
  given: string | undefined,
): KeyManagementAlgorithm {
  const alg = given === undefined ? undefined : checkEncryptionAlgorithm(given)
  if (keyObject.asymmetricKeyType === 'rsa') {
    if (alg && alg !== 'RSA-OAEP-256')
      throw invalidKey(`the key is an RSA key; it decrypts RSA-OAEP-256, not ${alg}`)
    return 'RSA-OAEP-256'
  }
  const curve = curveOfNamedCurve(keyObject.asymmetricKeyDetails?.namedCurve)?.crv
  if (
    keyObject.asymmetricKeyType !== 'ec' ||
    !curve ||
    !(ENCRYPTION_CURVES as readonly string[]).includes(curve)
  ) {
    throw invalidKey(
      `an encryption key must be RSA or EC on ${ENCRYPTION_CURVES.join(', ')} (this one is ${keyObject.asymmetricKeyDetails?.namedCurve ?? keyObject.asymmetricKeyType ?? 'unknown'})`,
    )
  }
  if (alg === 'RSA-OAEP-256')
    throw invalidKey('the key is an EC key; it cannot decrypt RSA-OAEP-256')
  return alg ?? DEFAULT_ENCRYPTION_ALGORITHM
}

/** The certificates, the one that matches the key first. Refuses a chain that lacks it. */
function certificateChain(blocks: PemBlock[], keyObject: KeyObject): X509Certificate[] {
  const certs = blocks.map((block, index) => {
    try {
      return new X509Certificate(block.text)
    } catch {
      throw invalidKey(`certificate ${index + 1} could not be parsed as X.509`)
    }
  })
  if (certs.length === 0) return []
  const leafIndex = certs.findIndex((cert) => cert.checkPrivateKey(keyObject))
  if (leafIndex < 0) {
    const subject = (certs[0] as X509Certificate).subject.replace(/\n/g, ', ')
    throw invalidKey(`the certificate (${subject}) does not match the private key`)
  }
  const leaf = certs[leafIndex] as X509Certificate
  return [leaf, ...certs.filter((_, index) => index !== leafIndex)]
}
