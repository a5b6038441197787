/**
 * msw handlers that play Secrets Manager and KMS at their HTTPS endpoints (AWS JSON 1.1: one POST
 * per call, the operation in X-Amz-Target). The KMS mock does real cryptography with keys
 * generated here with node:crypto, as KMS would with its own: Sign (ECDSA signatures
 * DER-encoded, Ed25519 raw), Decrypt (RSAES_OAEP_SHA_1/256) and DeriveSharedSecret (ECDH), each
 * only for the key usage KMS allows it on.
 */
import {
  constants,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  sign,
} from 'node:crypto'
import { HttpResponse, http } from 'msw'
import { awsError, awsJson, KMS_URL, SECRETS_URL } from './aws.js'

export interface SecretsMock {
  /** GetSecretValue calls per secret id. */
  calls: Map<string, number>
  /** secret id -> what GetSecretValue answers: a value with a version, or an AWS error. */
  secrets: Map<string, { value: string; versionId: string } | { error: string; status?: number }>
}

export function secretsManagerMock(mock: SecretsMock) {
  return http.post(SECRETS_URL, async ({ request }) => {
    const target = request.headers.get('x-amz-target')
    if (target !== 'secretsmanager.GetSecretValue') return awsError('InvalidAction', String(target))
    if (!request.headers.get('authorization')?.startsWith('AWS4-HMAC-SHA256 ')) {
      return awsError('MissingAuthenticationToken', 'unsigned request', 403)
    }
    const { SecretId } = (await request.json()) as { SecretId: string }
    mock.calls.set(SecretId, (mock.calls.get(SecretId) ?? 0) + 1)
    const secret = mock.secrets.get(SecretId)
    if (!secret)
      return awsError(
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      )
    if ('error' in secret) return awsError(secret.error, 'mock failure', secret.status ?? 500)
    return awsJson({
      ARN: SecretId,
      Name: SecretId.split(':').pop(),
      VersionId: secret.versionId,
      SecretString: secret.value,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: 1_795_000_000,
    })
  })
}

export type KmsKeySpec =
  | 'RSA_2048'
  | 'RSA_3072'
  | 'RSA_4096'
  | 'ECC_NIST_P256'
  | 'ECC_NIST_P384'
  | 'ECC_NIST_P521'
  | 'ECC_NIST_EDWARDS25519'

export type KmsKeyUsage = 'SIGN_VERIFY' | 'ENCRYPT_DECRYPT' | 'KEY_AGREEMENT'

export interface KmsKey {
  arn: string
  spec: KmsKeySpec
  usage?: KmsKeyUsage
  privateKey: KeyObject
  publicKey: KeyObject
}

const NAMED_CURVES: Partial<Record<KmsKeySpec, string>> = {
  ECC_NIST_P256: 'P-256',
  ECC_NIST_P384: 'P-384',
  ECC_NIST_P521: 'P-521',
}

// Generated keys per spec, reused across tests of one process (RSA-4096 takes ~1 s to make).
const generated = new Map<KmsKeySpec, { privateKey: KeyObject; publicKey: KeyObject }>()

function generate(spec: KmsKeySpec, fresh: boolean) {
  const cached = fresh ? undefined : generated.get(spec)
  if (cached) return cached
  const pair = spec.startsWith('RSA_')
    ? generateKeyPairSync('rsa', { modulusLength: Number(spec.slice(4)) })
    : spec === 'ECC_NIST_EDWARDS25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: NAMED_CURVES[spec] as string })
  if (!fresh) generated.set(spec, pair)
  return pair
}

/**
 * A KMS key of `spec` (and `usage`, default SIGN_VERIFY). RSA_2048 and P-256 keys are fresh for
 * each call; the slower specs share one key per process unless `fresh`.
 */
export function kmsKey(
  spec: KmsKeySpec,
  id = spec.toLowerCase(),
  usage: KmsKeyUsage = 'SIGN_VERIFY',
  fresh = spec === 'RSA_2048' || spec === 'ECC_NIST_P256',
): KmsKey {
  const { privateKey, publicKey } = generate(spec, fresh)
  return {
    arn: `arn:aws:kms:us-east-1:123456789012:key/${id}`,
    spec,
    usage,
    privateKey,
    publicKey,
  }
}

export interface KmsMock {
  keys: KmsKey[]
  calls: { GetPublicKey: number; Sign: number; Decrypt?: number; DeriveSharedSecret?: number }
  /** When set, Sign fails with this AWS error type. */
  failSign?: string
  /** When set, Decrypt and DeriveSharedSecret fail with this AWS error type. */
  failDecrypt?: string
}

const RSA_SIGNING = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
]

/** What KMS lists per key spec for SIGN_VERIFY keys (its key spec reference). */
const SIGNING: Record<KmsKeySpec, string[]> = {
  RSA_2048: RSA_SIGNING,
  RSA_3072: RSA_SIGNING,
  RSA_4096: RSA_SIGNING,
  ECC_NIST_P256: ['ECDSA_SHA_256'],
  ECC_NIST_P384: ['ECDSA_SHA_384'],
  ECC_NIST_P521: ['ECDSA_SHA_512'],
  ECC_NIST_EDWARDS25519: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'],
}

function signWith(key: KmsKey, algorithm: string, message: Buffer): Buffer {
  if (algorithm === 'ED25519_SHA_512') return sign(null, message, key.privateKey)
  const hash = `sha${algorithm.slice(-3)}`
  if (algorithm.startsWith('RSASSA_PSS_')) {
    return sign(hash, message, {
      key: key.privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: Number(algorithm.slice(-3)) / 8,
    })
  }
  if (algorithm.startsWith('RSASSA_PKCS1_')) {
    return sign(hash, message, { key: key.privateKey, padding: constants.RSA_PKCS1_PADDING })
  }
  return sign(hash, message, { key: key.privateKey, dsaEncoding: 'der' })
}

function usageFields(key: KmsKey): Record<string, string[]> {
  const usage = key.usage ?? 'SIGN_VERIFY'
  if (usage === 'SIGN_VERIFY') return { SigningAlgorithms: SIGNING[key.spec] }
  if (usage === 'ENCRYPT_DECRYPT')
    return { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }
  return { KeyAgreementAlgorithms: ['ECDH'] }
}

export function kmsMock(mock: KmsMock) {
  const find = (keyId: string) =>
    mock.keys.find((k) => k.arn === keyId || k.arn.endsWith(`/${keyId}`))
  const count = (name: keyof KmsMock['calls']) => {
    mock.calls[name] = (mock.calls[name] ?? 0) + 1
  }
  return http.post(KMS_URL, async ({ request }) => {
    const target = request.headers.get('x-amz-target')
    const body = (await request.json()) as Record<string, string>
    const key = find(body.KeyId ?? '')
    if (!key) return awsError('NotFoundException', `Key '${body.KeyId}' does not exist`)
    const usage = key.usage ?? 'SIGN_VERIFY'
    if (target === 'TrentService.GetPublicKey') {
      count('GetPublicKey')
      return awsJson({
        KeyId: key.arn,
        KeySpec: key.spec,
        KeyUsage: usage,
        PublicKey: key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
        ...usageFields(key),
      })
    }
    if (target === 'TrentService.Sign') {
      count('Sign')
      if (mock.failSign) return awsError(mock.failSign, 'mock failure', 500)
      if (usage !== 'SIGN_VERIFY') return awsError('InvalidKeyUsageException', usage)
      if (body.MessageType !== 'RAW')
        return awsError('ValidationException', 'expected MessageType RAW')
      const algorithm = body.SigningAlgorithm ?? ''
      if (!SIGNING[key.spec].includes(algorithm) || algorithm === 'ED25519_PH_SHA_512')
        return awsError('InvalidKeyUsageException', algorithm)
      const message = Buffer.from(body.Message ?? '', 'base64')
      if (message.length > 4096) return awsError('ValidationException', 'message too long')
      return awsJson({
        KeyId: key.arn,
        Signature: signWith(key, algorithm, message).toString('base64'),
        SigningAlgorithm: algorithm,
      })
    }
    if (target === 'TrentService.Decrypt') {
      count('Decrypt')
      if (mock.failDecrypt) return awsError(mock.failDecrypt, 'mock failure', 500)
      if (usage !== 'ENCRYPT_DECRYPT') return awsError('InvalidKeyUsageException', usage)
      const algorithm = body.EncryptionAlgorithm ?? ''
      if (algorithm !== 'RSAES_OAEP_SHA_256' && algorithm !== 'RSAES_OAEP_SHA_1')
        return awsError('InvalidKeyUsageException', algorithm)
      try {
        const plaintext = privateDecrypt(
          {
            key: key.privateKey,
            padding: constants.RSA_PKCS1_OAEP_PADDING,
            oaepHash: algorithm === 'RSAES_OAEP_SHA_256' ? 'sha256' : 'sha1',
          },
          Buffer.from(body.CiphertextBlob ?? '', 'base64'),
        )
        return awsJson({
          KeyId: key.arn,
          Plaintext: plaintext.toString('base64'),
          EncryptionAlgorithm: algorithm,
        })
      } catch {
        return awsError('InvalidCiphertextException', 'the ciphertext is invalid')
      }
    }
    if (target === 'TrentService.DeriveSharedSecret') {
      count('DeriveSharedSecret')
      if (mock.failDecrypt) return awsError(mock.failDecrypt, 'mock failure', 500)
      if (usage !== 'KEY_AGREEMENT') return awsError('InvalidKeyUsageException', usage)
      if (body.KeyAgreementAlgorithm !== 'ECDH')
        return awsError('ValidationException', 'KeyAgreementAlgorithm must be ECDH')
      let peer: KeyObject
      try {
        peer = createPublicKey({
          key: Buffer.from(body.PublicKey ?? '', 'base64'),
          format: 'der',
          type: 'spki',
        })
      } catch {
        return awsError('ValidationException', 'PublicKey is not a DER SubjectPublicKeyInfo')
      }
      if (peer.asymmetricKeyDetails?.namedCurve !== key.publicKey.asymmetricKeyDetails?.namedCurve)
        return awsError('ValidationException', 'PublicKey is on another curve')
      const secret = diffieHellman({ privateKey: key.privateKey, publicKey: peer })
      return awsJson({
        KeyId: key.arn,
        SharedSecret: secret.toString('base64'),
        KeyAgreementAlgorithm: 'ECDH',
        KeyOrigin: 'AWS_KMS',
      })
    }
    return HttpResponse.json({ __type: 'UnknownOperationException' }, { status: 400 })
  })
}
