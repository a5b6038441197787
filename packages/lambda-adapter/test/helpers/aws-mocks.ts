/**
 * msw handlers that play Secrets Manager and KMS at their HTTPS endpoints (AWS JSON 1.1: one POST
 * per call, the operation in X-Amz-Target). The KMS mock signs with a real key generated here with
 * node:crypto and returns ECDSA signatures DER-encoded, as KMS does.
 */
import { constants, generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
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

export type KmsKeySpec = 'RSA_2048' | 'ECC_NIST_P256'

export interface KmsKey {
  arn: string
  spec: KmsKeySpec
  usage?: 'SIGN_VERIFY' | 'ENCRYPT_DECRYPT'
  privateKey: KeyObject
  publicKey: KeyObject
}

export function kmsKey(spec: KmsKeySpec, id = spec.toLowerCase()): KmsKey {
  const { privateKey, publicKey } =
    spec === 'RSA_2048'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return { arn: `arn:aws:kms:us-east-1:123456789012:key/${id}`, spec, privateKey, publicKey }
}

export interface KmsMock {
  keys: KmsKey[]
  calls: { GetPublicKey: number; Sign: number }
  /** When set, Sign fails with this AWS error type. */
  failSign?: string
}

const ALGORITHMS: Record<KmsKeySpec, string[]> = {
  RSA_2048: [
    'RSASSA_PSS_SHA_256',
    'RSASSA_PSS_SHA_384',
    'RSASSA_PSS_SHA_512',
    'RSASSA_PKCS1_V1_5_SHA_256',
    'RSASSA_PKCS1_V1_5_SHA_384',
    'RSASSA_PKCS1_V1_5_SHA_512',
  ],
  ECC_NIST_P256: ['ECDSA_SHA_256'],
}

function signWith(key: KmsKey, algorithm: string, message: Buffer): Buffer {
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

export function kmsMock(mock: KmsMock) {
  const find = (keyId: string) =>
    mock.keys.find((k) => k.arn === keyId || k.arn.endsWith(`/${keyId}`))
  return http.post(KMS_URL, async ({ request }) => {
    const target = request.headers.get('x-amz-target')
    const body = (await request.json()) as Record<string, string>
    const key = find(body.KeyId ?? '')
    if (!key) return awsError('NotFoundException', `Key '${body.KeyId}' does not exist`)
    if (target === 'TrentService.GetPublicKey') {
      mock.calls.GetPublicKey++
      const usage = key.usage ?? 'SIGN_VERIFY'
      return awsJson({
        KeyId: key.arn,
        KeySpec: key.spec,
        KeyUsage: usage,
        PublicKey: key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
        ...(usage === 'SIGN_VERIFY' ? { SigningAlgorithms: ALGORITHMS[key.spec] } : {}),
      })
    }
    if (target === 'TrentService.Sign') {
      mock.calls.Sign++
      if (mock.failSign) return awsError(mock.failSign, 'mock failure', 500)
      if (body.MessageType !== 'RAW')
        return awsError('ValidationException', 'expected MessageType RAW')
      const algorithm = body.SigningAlgorithm ?? ''
      if (!ALGORITHMS[key.spec].includes(algorithm))
        return awsError('InvalidKeyUsageException', algorithm)
      const message = Buffer.from(body.Message ?? '', 'base64')
      if (message.length > 4096) return awsError('ValidationException', 'message too long')
      return awsJson({
        KeyId: key.arn,
        Signature: signWith(key, algorithm, message).toString('base64'),
        SigningAlgorithm: algorithm,
      })
    }
    return HttpResponse.json({ __type: 'UnknownOperationException' }, { status: 400 })
  })
}
