/**
 * A lean client for the AWS JSON-protocol calls on a function's hot path (DynamoDB PutItem and
 * DeleteItem, Secrets Manager GetSecretValue): one POST signed with Signature Version 4
 * (sigv4.ts) on a kept-alive connection, with the SDK clients' attempts, back-off and timeouts
 * (CLIENT_DEFAULTS). Why: loading and first use of the SDK clients cost
 * ~90 ms of CPU in a cold start (most of a cold sign-in's CPU besides Node itself); this costs a
 * few. It is used only where the environment gives everything it needs, as on Lambda: static
 * credentials in the environment, a region of the `aws` partition, no FIPS or dual-stack
 * endpoint (awsTargetFromEnv). Anywhere else, and whenever a client is given, the SDK is used.
 * No AWS SDK code here, so a bundle that takes this path never evaluates the SDK.
 */
// The modules' objects, not named imports: `request` is looked up at each call, so whatever
// wraps it (request tracing, msw in tests) sees these calls as it sees the SDK's.
import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import { signRequest } from './sigv4.js'

/**
 * Settings for the AWS clients the entry points create (SDK or lean): bounded waits, so a
 * service that hangs becomes a 503 well inside API Gateway's 30 s limit instead of a function
 * timeout.
 */
export const CLIENT_DEFAULTS = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 2000, requestTimeout: 5000 },
} as const

export type AwsCallSettings = {
  maxAttempts: number
  requestHandler: { connectionTimeout: number; requestTimeout: number }
}

export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

/** Where and as whom a lean client calls one service. */
export interface AwsTarget {
  region: string
  /** The service's regional endpoint, or AWS_ENDPOINT_URL_<SERVICE> / AWS_ENDPOINT_URL. */
  endpoint: URL
  /** Read at each call: the environment is where Lambda puts the role's credentials. */
  credentials: () => AwsCredentials | undefined
}

export type AwsJsonService = 'dynamodb' | 'secretsmanager'

const SERVICES: Record<
  AwsJsonService,
  { endpointVariable: string; targetPrefix: string; contentType: string }
> = {
  dynamodb: {
    endpointVariable: 'AWS_ENDPOINT_URL_DYNAMODB',
    targetPrefix: 'DynamoDB_20120810',
    contentType: 'application/x-amz-json-1.0',
  },
  secretsmanager: {
    endpointVariable: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
    targetPrefix: 'secretsmanager',
    contentType: 'application/x-amz-json-1.1',
  },
}

// The `aws` partition's regions (the SDK's partitions table): endpoints <service>.<region>.amazonaws.com.
const AWS_PARTITION_REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/
// The answers read here are small (a flow item, a secret of at most 64 KiB).
const MAX_RESPONSE_BYTES = 1024 * 1024
// The SDK's standard retry strategy: full-jitter exponential back-off, capped.
const BASE_DELAY_MS = 100
const THROTTLING_BASE_DELAY_MS = 500
const MAX_DELAY_MS = 20_000
const THROTTLING_ERRORS = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'LimitExceededException',
  'TransactionInProgressException',
  'PriorRequestNotComplete',
])
const TRANSIENT_ERRORS = new Set(['RequestTimeout', 'RequestTimeoutException', 'TimeoutError'])

/**
 * The lean client's target from the environment, or undefined when the SDK must do the call:
 * no static credentials (a profile, SSO, a container or instance role), no region, a region
 * outside the `aws` partition, or a FIPS or dual-stack endpoint asked for.
 */
export function awsTargetFromEnv(
  env: Record<string, string | undefined>,
  service: AwsJsonService,
): AwsTarget | undefined {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION
  if (!region || !AWS_PARTITION_REGION.test(region)) return undefined
  if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) return undefined
  const on = (name: string) => env[name]?.toLowerCase() === 'true'
  if (on('AWS_USE_FIPS_ENDPOINT') || on('AWS_USE_DUALSTACK_ENDPOINT')) return undefined
  const configured = on('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS')
    ? undefined
    : env[SERVICES[service].endpointVariable] || env.AWS_ENDPOINT_URL
  let endpoint: URL
  try {
    endpoint = new URL(configured ?? `https://${service}.${region}.amazonaws.com`)
  } catch {
    return undefined // the SDK reports a malformed endpoint its own way
  }
  return {
    region,
    endpoint,
    credentials: () => {
      const accessKeyId = env.AWS_ACCESS_KEY_ID
      const secretAccessKey = env.AWS_SECRET_ACCESS_KEY
      if (!accessKeyId || !secretAccessKey) return undefined
      const sessionToken = env.AWS_SESSION_TOKEN
      return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) }
    },
  }
}

/** An error the service answered (its `__type`, e.g. ConditionalCheckFailedException) or a transport failure. */
export class AwsCallError extends Error {
  readonly status: number | undefined
  constructor(name: string, message: string, status?: number) {
    super(message)
    this.name = name
    this.status = status
  }
}

export type AwsJsonCall = (operation: string, input: unknown) => Promise<Record<string, unknown>>

/** Calls `operation` of `service` at `target`: the parsed JSON answer, or an AwsCallError. */
export function awsJsonClient(
  service: AwsJsonService,
  target: AwsTarget,
  settings: AwsCallSettings = CLIENT_DEFAULTS,
): AwsJsonCall {
  const { targetPrefix, contentType } = SERVICES[service]
  const { endpoint } = target
  const path = endpoint.pathname || '/'
  return async (operation, input) => {
    const body = JSON.stringify(input)
    for (let attempt = 1; ; attempt++) {
      let error: AwsCallError
      try {
        const credentials = target.credentials()
        if (!credentials) throw new AwsCallError('CredentialsProviderError', 'no AWS credentials')
        // Signed per attempt: the signature carries the time.
        const headers = signRequest({
          method: 'POST',
          path,
          headers: {
            host: endpoint.host,
            'content-type': contentType,
            'content-length': String(Buffer.byteLength(body)),
            'x-amz-target': `${targetPrefix}.${operation}`,
          },
          body,
          service,
          region: target.region,
          credentials,
          now: new Date(),
        })
        const answer = await post(endpoint, path, headers, body, settings)
        if (answer.status < 300) return parseJson(answer.text) ?? {}
        error = serviceError(answer)
      } catch (thrown) {
        if (!(thrown instanceof AwsCallError)) throw thrown
        error = thrown
      }
      if (attempt >= settings.maxAttempts || !retryable(error)) throw error
      const base = THROTTLING_ERRORS.has(error.name) ? THROTTLING_BASE_DELAY_MS : BASE_DELAY_MS
      const delay = Math.random() * Math.min(MAX_DELAY_MS, base * 2 ** (attempt - 1))
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }
}

// Failures of this side that another attempt cannot mend.
const FINAL_ERRORS = new Set(['CredentialsProviderError', 'ResponseTooLarge'])

function retryable(error: AwsCallError): boolean {
  if (FINAL_ERRORS.has(error.name)) return false
  if (error.status === undefined) return true // no answer: the connection failed or timed out
  return (
    error.status >= 500 ||
    error.status === 429 ||
    THROTTLING_ERRORS.has(error.name) ||
    TRANSIENT_ERRORS.has(error.name)
  )
}

function parseJson(text: string): Record<string, unknown> | undefined {
  if (!text) return undefined
  try {
    const value: unknown = JSON.parse(text)
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

function serviceError(answer: Answer): AwsCallError {
  const body = parseJson(answer.text) ?? {}
  // `__type` is "com.amazonaws.dynamodb.v20120810#Name" or "Name"; the header "Name:uri".
  const type = String(body.__type ?? answer.errorType ?? '')
  const name = type.split('#').pop()?.split(':')[0] || `HTTP${answer.status}`
  const message = String(body.message ?? body.Message ?? name).slice(0, 300)
  return new AwsCallError(name, message, answer.status)
}

interface Answer {
  status: number
  errorType: string | undefined
  text: string
}

// One kept-alive agent per protocol: a warm function reuses its connection.
const agents: { http?: http.Agent; https?: https.Agent } = {}

function post(
  endpoint: URL,
  path: string,
  headers: Record<string, string>,
  body: string,
  settings: AwsCallSettings,
): Promise<Answer> {
  const secure = endpoint.protocol === 'https:'
  if (secure) agents.https ??= new https.Agent({ keepAlive: true })
  else agents.http ??= new http.Agent({ keepAlive: true })
  const agent = secure ? agents.https : agents.http
  const { connectionTimeout, requestTimeout } = settings.requestHandler
  return new Promise((resolve, reject) => {
    const fail = (name: string, message: string) => {
      clearTimeout(deadline)
      reject(new AwsCallError(name, message))
    }
    const request = (secure ? https.request : http.request)(
      {
        method: 'POST',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        port: endpoint.port || undefined,
        path,
        agent,
        // The signed headers, content-length among them; the user agent is not signed.
        headers: { ...headers, 'user-agent': 'idp-proxy-lambda' },
      },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = []
        let size = 0
        response.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_RESPONSE_BYTES) {
            request.destroy()
            fail('ResponseTooLarge', `the answer exceeds ${MAX_RESPONSE_BYTES} bytes`)
          } else chunks.push(chunk)
        })
        response.on('end', () => {
          clearTimeout(deadline)
          const errorType = response.headers['x-amzn-errortype']
          resolve({
            status: response.statusCode ?? 0,
            errorType: Array.isArray(errorType) ? errorType[0] : errorType,
            text: Buffer.concat(chunks).toString('utf8'),
          })
        })
        response.on('error', (error) => fail('NetworkingError', error.message))
      },
    )
    const deadline = setTimeout(() => {
      request.destroy()
      fail('TimeoutError', `no answer within ${requestTimeout} ms`)
    }, requestTimeout)
    request.on('socket', (socket) => {
      if (!socket.connecting) return
      const connecting = setTimeout(() => {
        request.destroy()
        fail('TimeoutError', `no connection within ${connectionTimeout} ms`)
      }, connectionTimeout)
      socket.once('connect', () => clearTimeout(connecting))
      socket.once('close', () => clearTimeout(connecting))
    })
    request.on('error', (error) => fail('NetworkingError', error.message))
    request.end(body)
  })
}
