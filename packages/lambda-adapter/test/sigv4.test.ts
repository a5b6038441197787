/**
 * The lean client's Signature Version 4 (sigv4.ts) against AWS's published example and against
 * the SDK's own signer (@smithy/signature-v4) on the requests the lean client makes.
 */

import { createHash, createHmac } from 'node:crypto'
import { SignatureV4 } from '@smithy/signature-v4'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { signRequest } from '../src/sigv4.js'

const EXAMPLE = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
}

test('AWS’s example request (get-vanilla of the SigV4 test suite) gets its published signature', () => {
  const headers = signRequest({
    method: 'GET',
    path: '/',
    headers: { host: 'example.amazonaws.com' },
    body: '',
    service: 'service',
    region: 'us-east-1',
    credentials: EXAMPLE,
    now: new Date('2015-08-30T12:36:00Z'),
  })
  assert.is(headers['x-amz-date'], '20150830T123600Z')
  assert.is(
    headers.authorization,
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  )
})

// The hash the SDK's signer takes, on node:crypto.
class Sha256 {
  #hash
  constructor(secret?: Uint8Array | string) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret)
  }
  update(data: Uint8Array | string) {
    this.#hash.update(data)
  }
  async digest() {
    return new Uint8Array(this.#hash.digest())
  }
  reset() {}
}

for (const { service, target, sessionToken } of [
  { service: 'dynamodb', target: 'DynamoDB_20120810.PutItem', sessionToken: undefined },
  {
    service: 'dynamodb',
    target: 'DynamoDB_20120810.DeleteItem',
    sessionToken: 'IQoJb3JpZ2luX2Vj//token+/=',
  },
  { service: 'secretsmanager', target: 'secretsmanager.GetSecretValue', sessionToken: 'session' },
]) {
  test(`${target}${sessionToken ? ' with a session token' : ''}: the same signature as the SDK’s signer`, async () => {
    const credentials = { ...EXAMPLE, ...(sessionToken ? { sessionToken } : {}) }
    const now = new Date('2026-12-01T23:59:58.123Z')
    const host = `${service}.eu-west-1.amazonaws.com`
    const body = JSON.stringify({ TableName: 'flows', Key: { pk: { S: 'é ünïcode  spaces' } } })
    const headers = {
      host,
      'content-type': 'application/x-amz-json-1.0',
      'content-length': String(Buffer.byteLength(body)),
      'x-amz-target': target,
    }
    const ours = signRequest({
      method: 'POST',
      path: '/',
      headers,
      body,
      service,
      region: 'eu-west-1',
      credentials,
      now,
    })
    const sdk = await new SignatureV4({
      service,
      region: 'eu-west-1',
      credentials,
      sha256: Sha256 as never,
      // Only S3 needs the payload hash as a header; the lean client sends none.
      applyChecksum: false,
    }).sign(
      { method: 'POST', protocol: 'https:', hostname: host, path: '/', query: {}, headers, body },
      { signingDate: now },
    )
    assert.is(ours.authorization, sdk.headers.authorization)
    assert.is(ours['x-amz-date'], sdk.headers['x-amz-date'])
    assert.is(ours['x-amz-security-token'], sdk.headers['x-amz-security-token'])
  })
}

test.run()
