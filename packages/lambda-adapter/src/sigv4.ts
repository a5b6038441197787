/**
 * AWS Signature Version 4 for the lean client's requests (aws-json.ts), by `aws4` (a small,
 * dependency-free signer on node:crypto): the SDK's own signer (@smithy/signature-v4) evaluates
 * much of @smithy/core when loaded, which is the cold-start cost the lean client avoids. The
 * caller gives every header it sends (content-type and content-length included, so aws4 adds
 * none of its own); the time and the session token are added here, and all of them are signed,
 * as the SDK signs them. Checked against AWS's published example and the SDK's signer in
 * test/sigv4.test.ts.
 */
import aws4 from 'aws4'
import type { AwsCredentials } from './aws-json.js'

export interface SigningInput {
  method: string
  /** The request path, already URI-encoded (the lean client's is "/"). */
  path: string
  /** Lower-case names; `host`, and with a body `content-type` and `content-length`. All signed. */
  headers: Record<string, string>
  body: string
  service: string
  region: string
  credentials: AwsCredentials
  now: Date
}

/** The request's headers with X-Amz-Date, X-Amz-Security-Token (if any) and Authorization added. */
export function signRequest(input: SigningInput): Record<string, string> {
  const { credentials } = input
  // 20150830T123600Z: ISO 8601 basic format, seconds, UTC.
  const amzDate = input.now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
  const headers: Record<string, string> = { ...input.headers, 'x-amz-date': amzDate }
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken
  const signed = aws4.sign(
    {
      method: input.method,
      path: input.path,
      headers,
      body: input.body,
      service: input.service,
      region: input.region,
    },
    {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
  )
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(signed.headers ?? {})) {
    out[name.toLowerCase()] = String(value)
  }
  return out
}
