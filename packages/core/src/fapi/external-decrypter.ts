/**
 * A Decrypter whose private key lives elsewhere (AWS KMS): the key-management step is delegated,
 * the rest of the JWE (RFC 7516/7518) is done here on Web Crypto, because jose only decrypts with
 * keys it holds (docs/fapi.md, "Decryption keys: what KMS can and cannot do").
 *
 * - RSA-OAEP-256: `decryptKey(encrypted_key)` returns the CEK (kms:Decrypt, RSAES_OAEP_SHA_256).
 * - ECDH-ES, ECDH-ES+A128KW, ECDH-ES+A256KW: `deriveSharedSecret(epk as SPKI DER)` returns the
 *   raw ECDH shared secret Z (kms:DeriveSharedSecret, KeyAgreementAlgorithm ECDH); the Concat
 *   KDF (RFC 7518 section 4.6.2) and the AES key unwrap happen here.
 * - Content: A128GCM/A256GCM, and A128CBC-HS256/A256CBC-HS512 (HMAC checked in constant time
 *   before any AES-CBC decryption).
 */
import { base64url } from 'jose'
import type {
  ContentEncryptionAlgorithm,
  Decrypter,
  EncryptionPublicJwk,
  JweHeader,
} from './jwe.js'

export interface ExternalKeyOperations {
  /** The public half, as published (its `kid`, `alg` and, for EC, `crv` are used). */
  publicJwk: EncryptionPublicJwk
  /** RSA-OAEP-256: decrypts the JWE Encrypted Key and returns the CEK. */
  decryptKey?(encryptedKey: Uint8Array): Promise<Uint8Array>
  /** ECDH-ES*: the shared secret Z with the sender's ephemeral key (SubjectPublicKeyInfo DER). */
  deriveSharedSecret?(ephemeralPublicKeySpki: Uint8Array): Promise<Uint8Array>
}

// CEK length in bytes per `enc`.
const CEK_BYTES: Record<ContentEncryptionAlgorithm, number> = {
  A128GCM: 16,
  A256GCM: 32,
  'A128CBC-HS256': 32,
  'A256CBC-HS512': 64,
}
const KW_BYTES: Record<string, number> = { 'ECDH-ES+A128KW': 16, 'ECDH-ES+A256KW': 32 }
const CURVE_BITS: Record<string, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521 }

const ascii = (text: string) => new TextEncoder().encode(text)

export function externalDecrypter(operations: ExternalKeyOperations): Decrypter {
  const { publicJwk } = operations
  const rsa = publicJwk.alg === 'RSA-OAEP-256'
  if (rsa ? !operations.decryptKey : !operations.deriveSharedSecret) {
    throw new TypeError(
      `externalDecrypter: ${publicJwk.alg} needs ${rsa ? 'decryptKey' : 'deriveSharedSecret'}`,
    )
  }
  return {
    kid: publicJwk.kid,
    alg: publicJwk.alg,
    publicJwk: () => ({ ...publicJwk }),
    async decrypt(jwe, header, contentEncryption) {
      const [protectedB64 = '', ekB64 = '', ivB64 = '', ctB64 = '', tagB64 = ''] = jwe.split('.')
      const enc = header.enc as ContentEncryptionAlgorithm
      if (!contentEncryption.includes(enc) || !(enc in CEK_BYTES))
        throw new Error('enc not allowed')
      if ((header as { zip?: unknown }).zip !== undefined)
        throw new Error('compressed JWEs are refused')
      const encryptedKey = base64url.decode(ekB64)
      const cek = rsa
        ? await (operations.decryptKey as NonNullable<ExternalKeyOperations['decryptKey']>)(
            encryptedKey,
          )
        : await agreeOnKey(operations, header, enc, encryptedKey)
      if (cek.length !== CEK_BYTES[enc])
        throw new Error('the content encryption key has the wrong length')
      return decryptContent(
        enc,
        cek,
        base64url.decode(ivB64),
        base64url.decode(ctB64),
        base64url.decode(tagB64),
        ascii(protectedB64),
      )
    },
  }
}

async function agreeOnKey(
  operations: ExternalKeyOperations,
  header: JweHeader,
  enc: ContentEncryptionAlgorithm,
  encryptedKey: Uint8Array,
): Promise<Uint8Array> {
  const { alg, crv } = operations.publicJwk
  const epk = (header as { epk?: { kty?: unknown; crv?: unknown; x?: unknown; y?: unknown } }).epk
  if (epk?.kty !== 'EC' || epk.crv !== crv || typeof crv !== 'string' || !(crv in CURVE_BITS)) {
    throw new Error('the JWE epk is missing or not on the key curve')
  }
  // Importing validates the point; the SPKI export is what kms:DeriveSharedSecret takes.
  const ephemeral = await crypto.subtle.importKey(
    'jwk',
    { kty: 'EC', crv, x: String(epk.x), y: String(epk.y) },
    { name: 'ECDH', namedCurve: crv },
    true,
    [],
  )
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', ephemeral))
  const z = await (
    operations.deriveSharedSecret as NonNullable<ExternalKeyOperations['deriveSharedSecret']>
  )(spki)
  const direct = alg === 'ECDH-ES'
  const keyBytes = direct ? CEK_BYTES[enc] : (KW_BYTES[alg] as number)
  const h = header as { apu?: unknown; apv?: unknown }
  const derived = await concatKdf(
    z,
    keyBytes,
    direct ? enc : alg,
    typeof h.apu === 'string' ? base64url.decode(h.apu) : new Uint8Array(),
    typeof h.apv === 'string' ? base64url.decode(h.apv) : new Uint8Array(),
  )
  if (direct) {
    if (encryptedKey.length !== 0)
      throw new Error('ECDH-ES direct must have an empty encrypted key')
    return derived
  }
  const kek = await crypto.subtle.importKey('raw', derived as BufferSource, 'AES-KW', false, [
    'unwrapKey',
  ])
  // AES-KW can only unwrap into a key type; HMAC takes any length (a 64-byte CBC-HS512 CEK too).
  const unwrapped = await crypto.subtle.unwrapKey(
    'raw',
    encryptedKey as BufferSource,
    kek,
    'AES-KW',
    { name: 'HMAC', hash: 'SHA-256' },
    true,
    ['sign'],
  )
  return new Uint8Array(await crypto.subtle.exportKey('raw', unwrapped))
}

/** RFC 7518 section 4.6.2 (NIST SP 800-56A Concat KDF with SHA-256). */
async function concatKdf(
  z: Uint8Array,
  keyBytes: number,
  algorithmId: string,
  apu: Uint8Array,
  apv: Uint8Array,
): Promise<Uint8Array> {
  const id = ascii(algorithmId)
  const otherInfo = concat(
    uint32(id.length),
    id,
    uint32(apu.length),
    apu,
    uint32(apv.length),
    apv,
    uint32(keyBytes * 8),
  )
  const rounds = Math.ceil(keyBytes / 32)
  const out = new Uint8Array(rounds * 32)
  for (let round = 1; round <= rounds; round++) {
    const digest = await crypto.subtle.digest(
      'SHA-256',
      concat(uint32(round), z, otherInfo) as BufferSource,
    )
    out.set(new Uint8Array(digest), (round - 1) * 32)
  }
  return out.slice(0, keyBytes)
}

async function decryptContent(
  enc: ContentEncryptionAlgorithm,
  cek: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array,
): Promise<Uint8Array> {
  if (enc === 'A128GCM' || enc === 'A256GCM') {
    if (iv.length !== 12 || tag.length !== 16) throw new Error('bad AES-GCM iv or tag length')
    const key = await crypto.subtle.importKey('raw', cek as BufferSource, 'AES-GCM', false, [
      'decrypt',
    ])
    return new Uint8Array(
      await crypto.subtle.decrypt(
        {
          name: 'AES-GCM',
          iv: iv as BufferSource,
          additionalData: aad as BufferSource,
          tagLength: 128,
        },
        key,
        concat(ciphertext, tag) as BufferSource,
      ),
    )
  }
  // AES_CBC_HMAC_SHA2 (RFC 7518 section 5.2): MAC key first half, AES key second half.
  const half = cek.length / 2
  if (iv.length !== 16 || tag.length !== half) throw new Error('bad AES-CBC iv or tag length')
  const hash = enc === 'A128CBC-HS256' ? 'SHA-256' : 'SHA-512'
  const macKey = await crypto.subtle.importKey(
    'raw',
    cek.slice(0, half) as BufferSource,
    { name: 'HMAC', hash },
    false,
    ['sign'],
  )
  const al = new Uint8Array(8)
  new DataView(al.buffer).setBigUint64(0, BigInt(aad.length * 8))
  const mac = new Uint8Array(
    await crypto.subtle.sign('HMAC', macKey, concat(aad, iv, ciphertext, al) as BufferSource),
  )
  let diff = 0
  for (let i = 0; i < half; i++) diff |= (mac[i] as number) ^ (tag[i] as number)
  if (diff !== 0) throw new Error('the JWE authentication tag does not match')
  const aesKey = await crypto.subtle.importKey(
    'raw',
    cek.slice(half) as BufferSource,
    'AES-CBC',
    false,
    ['decrypt'],
  )
  return new Uint8Array(
    await crypto.subtle.decrypt(
      { name: 'AES-CBC', iv: iv as BufferSource },
      aesKey,
      ciphertext as BufferSource,
    ),
  )
}

function uint32(value: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, value)
  return out
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
