/**
 * The KMS-shaped Decrypter: the key-management step is a callback (here Web Crypto stands in
 * for kms:Decrypt and kms:DeriveSharedSecret), the JWE is done on Web Crypto. Checked against
 * JWEs produced by jose for every alg x enc pair the proxy allows.
 */
import { base64url, CompactEncrypt, exportJWK, importJWK } from 'jose'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  CONTENT_ENCRYPTION_ALGORITHMS,
  decryptJwe,
  type EncryptionPublicJwk,
  externalDecrypter,
  KEY_MANAGEMENT_ALGORITHMS,
  type KeyManagementAlgorithm,
} from '../src/index.js'

/** A "KMS" key: the private half never leaves this closure, as it never leaves KMS. */
async function kmsKey(alg: KeyManagementAlgorithm) {
  const calls: string[] = []
  if (alg === 'RSA-OAEP-256') {
    const pair = (await crypto.subtle.generateKey(
      {
        name: 'RSA-OAEP',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['encrypt', 'decrypt'],
    )) as CryptoKeyPair
    const { n, e } = await exportJWK(pair.publicKey)
    const publicJwk: EncryptionPublicJwk = {
      kty: 'RSA',
      kid: `kms-${alg}`,
      alg,
      use: 'enc',
      n: n as string,
      e: e as string,
    }
    const decrypter = externalDecrypter({
      publicJwk,
      async decryptKey(encryptedKey) {
        calls.push('Decrypt')
        return new Uint8Array(
          await crypto.subtle.decrypt(
            { name: 'RSA-OAEP' },
            pair.privateKey,
            encryptedKey as BufferSource,
          ),
        )
      },
    })
    return { publicJwk, decrypter, calls }
  }
  const pair = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
    'deriveBits',
  ])) as CryptoKeyPair
  const { x, y } = await exportJWK(pair.publicKey)
  const publicJwk: EncryptionPublicJwk = {
    kty: 'EC',
    kid: `kms-${alg}`,
    alg,
    use: 'enc',
    crv: 'P-256',
    x: x as string,
    y: y as string,
  }
  const decrypter = externalDecrypter({
    publicJwk,
    async deriveSharedSecret(spki) {
      calls.push(`DeriveSharedSecret(${spki.length})`)
      const peer = await crypto.subtle.importKey(
        'spki',
        spki as BufferSource,
        { name: 'ECDH', namedCurve: 'P-256' },
        false,
        [],
      )
      return new Uint8Array(
        await crypto.subtle.deriveBits({ name: 'ECDH', public: peer }, pair.privateKey, 256),
      )
    },
  })
  return { publicJwk, decrypter, calls }
}

async function encrypt(publicJwk: EncryptionPublicJwk, plaintext: string, enc: string, extra = {}) {
  return new CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({ alg: publicJwk.alg, enc, kid: publicJwk.kid, ...extra })
    .encrypt(await importJWK({ ...publicJwk }, publicJwk.alg))
}

test('every alg x enc pair from jose decrypts, with one key operation per JWE', async () => {
  const plaintext = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1LTEifQ.c2lnbmF0dXJl'
  for (const alg of KEY_MANAGEMENT_ALGORITHMS) {
    const kms = await kmsKey(alg)
    for (const enc of CONTENT_ENCRYPTION_ALGORITHMS) {
      const jwe = await encrypt(kms.publicJwk, plaintext, enc)
      assert.is(await decryptJwe(jwe, [kms.decrypter]), plaintext, `${alg} ${enc}`)
    }
    assert.is(kms.calls.length, CONTENT_ENCRYPTION_ALGORITHMS.length)
    // P-256 SubjectPublicKeyInfo is 91 bytes: what kms:DeriveSharedSecret takes as PublicKey.
    if (alg !== 'RSA-OAEP-256') assert.is(kms.calls[0], 'DeriveSharedSecret(91)')
  }
})

test('apu and apv enter the key derivation', async () => {
  const kms = await kmsKey('ECDH-ES+A256KW')
  const jwe = await new CompactEncrypt(new TextEncoder().encode('a.b.c'))
    .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256CBC-HS512', kid: kms.publicJwk.kid })
    .setKeyManagementParameters({
      apu: new TextEncoder().encode('Alice'),
      apv: new TextEncoder().encode('Bob'),
    })
    .encrypt(await importJWK({ ...kms.publicJwk }, 'ECDH-ES+A256KW'))
  assert.is(await decryptJwe(jwe, [kms.decrypter]), 'a.b.c')
})

test('a tampered tag, ciphertext or header, and an epk on another curve are refused', async () => {
  for (const enc of ['A256GCM', 'A256CBC-HS512']) {
    const kms = await kmsKey('ECDH-ES+A256KW')
    const parts = (await encrypt(kms.publicJwk, 'a.b.c', enc)).split('.')
    for (const index of [3, 4]) {
      const broken = [...parts]
      const bytes = base64url.decode(broken[index] as string)
      bytes[0] = (bytes[0] as number) ^ 1
      broken[index] = base64url.encode(bytes)
      const error = await decryptJwe(broken.join('.'), [kms.decrypter]).catch(
        (e: { code?: string }) => e,
      )
      assert.is((error as { code?: string }).code, 'ERR_DECRYPTION_FAILED', `${enc} part ${index}`)
    }
    // The header is the AAD: a changed header (here an added member) fails the tag.
    const header = JSON.parse(new TextDecoder().decode(base64url.decode(parts[0] as string)))
    const changed = [base64url.encode(JSON.stringify({ ...header, x: 1 })), ...parts.slice(1)].join(
      '.',
    )
    const error = await decryptJwe(changed, [kms.decrypter]).catch((e: { code?: string }) => e)
    assert.is((error as { code?: string }).code, 'ERR_DECRYPTION_FAILED')
  }
  const p256 = await kmsKey('ECDH-ES+A256KW')
  const p384 = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-384' }, true, [
    'deriveBits',
  ])) as CryptoKeyPair
  const { x, y } = await exportJWK(p384.publicKey)
  const other: EncryptionPublicJwk = {
    ...p256.publicJwk,
    crv: 'P-384',
    x: x as string,
    y: y as string,
  }
  const jwe = await encrypt(other, 'a.b.c', 'A256GCM')
  const error = await decryptJwe(jwe, [p256.decrypter]).catch((e: { code?: string }) => e)
  assert.is((error as { code?: string }).code, 'ERR_DECRYPTION_FAILED')
  assert.is(p256.calls.length, 0, 'the KMS is not called for an epk on the wrong curve')
})

test.run()
