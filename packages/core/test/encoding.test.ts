import { createHash } from 'node:crypto'
import { base64url } from 'jose'
import * as oauth from 'oauth4webapi'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { base64urlEncode, randomToken, sha256Base64url, utf8ByteLength } from '../src/encoding.js'
import { createMemoryStore, type FlowRecord } from '../src/index.js'
import { codeChallengeS256, generateCodeVerifier } from '../src/pkce.js'

test('base64urlEncode agrees with jose for every length 0-100, random and extreme bytes', () => {
  for (let length = 0; length <= 100; length++) {
    for (const bytes of [
      crypto.getRandomValues(new Uint8Array(length)),
      new Uint8Array(length).fill(0xff),
      new Uint8Array(length),
    ]) {
      assert.is(base64urlEncode(bytes), base64url.encode(bytes), `length ${length}`)
    }
  }
})

test('PKCE S256: the challenge node:crypto and oauth4webapi compute, for fresh verifiers', async () => {
  for (let i = 0; i < 50; i++) {
    const verifier = generateCodeVerifier()
    assert.match(verifier, /^[\w-]{43}$/)
    const challenge = codeChallengeS256(verifier)
    assert.is(challenge, createHash('sha256').update(verifier).digest('base64url'))
    assert.is(challenge, await oauth.calculatePKCECodeChallenge(verifier))
  }
})

test('sha256Base64url agrees with node:crypto: ASCII, non-ASCII, lone surrogates, long input', () => {
  const texts = [
    '',
    randomToken(),
    'é€😀',
    'a\ud800b', // a lone surrogate hashes as U+FFFD, as UTF-8 encoding gives
    '€'.repeat(256), // the longest input of the reused buffer, 3 bytes per character
    'x'.repeat(257),
    '😀'.repeat(300),
  ]
  for (const text of texts) {
    const expected = createHash('sha256').update(Buffer.from(new TextEncoder().encode(text)))
    assert.is(sha256Base64url(text), expected.digest('base64url'), text.slice(0, 10))
  }
  // A short input after a long one reads only its own bytes.
  assert.is(sha256Base64url('abc'), createHash('sha256').update('abc').digest('base64url'))
})

test('randomToken: pooled bytes are never handed out twice, across pool refills', () => {
  const seen = new Set<string>()
  // 32-byte tokens over ~40 refills of the 4 KiB pool; a repeat would mean a reused byte range.
  for (let i = 0; i < 5000; i++) seen.add(randomToken(32))
  assert.is(seen.size, 5000)
  assert.match(randomToken(5000), /^[\w-]{6667}$/)
})

test('memory store: past its bound it evicts the oldest live record, skipping taken ones', async () => {
  const store = createMemoryStore({ maxEntries: 3 })
  const flow = (state: string) =>
    ({ kind: 'authorize', state, redirectUri: 'https://a.example/cb', verifier: 'v' }) as const
  const [a, b, c] = [
    await store.save(flow('a'), 60),
    await store.save(flow('b'), 60),
    await store.save(flow('c'), 60),
  ]
  assert.is(stateOf(await store.take(b as string, 'authorize')), 'b')
  const d = await store.save(flow('d'), 60) // two live records: room, nothing evicted
  const e = await store.save(flow('e'), 60) // full: the oldest live record (a) goes
  assert.is(await store.take(a as string, 'authorize'), undefined)
  for (const [handle, state] of [
    [c, 'c'],
    [d, 'd'],
    [e, 'e'],
  ] as const) {
    assert.is(stateOf(await store.take(handle as string, 'authorize')), state)
  }
})

test('memory store: a long steady flow of saves and takes keeps every record reachable', async () => {
  const store = createMemoryStore({ maxEntries: 100 })
  for (let i = 0; i < 5000; i++) {
    const handle = await store.save(
      { kind: 'authorize', state: String(i), redirectUri: 'https://a.example/cb', verifier: 'v' },
      60,
    )
    assert.is(stateOf(await store.take(handle, 'authorize')), String(i))
  }
})

test('utf8ByteLength is the length TextEncoder gives: ASCII, 2-, 3-, 4-byte and lone surrogates', () => {
  const encoder = new TextEncoder()
  for (const text of [
    '',
    'abc',
    'é',
    'aé€😀z',
    '\ud800',
    'x\udc00y',
    '\ud83d',
    '😀😀',
    'ß'.repeat(300),
  ]) {
    assert.is(utf8ByteLength(text), encoder.encode(text).byteLength, JSON.stringify(text))
  }
})

function stateOf(record: FlowRecord | undefined): string | undefined {
  return record?.kind === 'authorize' ? record.state : undefined
}

test.run()
