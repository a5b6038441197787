/**
 * The token path in steady state, ours against the seed's pattern, with the same stubs: a
 * Secrets Manager stub (fixed delay) and a TLS IdP stub behind a relay that adds a network round
 * trip. Runs in its own process because the self-signed certificate must be trusted from
 * process start (NODE_EXTRA_CA_CERTS) for fetch, as the proxy uses it unchanged.
 * argv[2]: JSON SteadyStateRequest; answers one IPC message (SteadyStateResult).
 */
import { readFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { type KeySource, keySourceFromSet, parsePrivateKeySet, silentLogger } from '@idp-proxy/core'
import { isSkipped, lambdaBundle } from './adapters.js'
import { generatePrivateJwk } from './keys.js'
import { httpApiEvent, LAMBDA_CONTEXT, type LambdaHandler } from './lambda-event.js'
import {
  benchProxy,
  CLIENT_ID,
  CLIENT_SECRET,
  listen,
  PROXY_ORIGIN,
  REDIRECT_URI,
  TOKEN_FORM,
} from './proxy-setup.js'
import { getSecretValue, seedTokenCall } from './seed-model.js'
import { elapsedMs, type LatencySummary, summarize } from './stats.js'
import { delayRelay } from './stubs/delay-relay.js'
import { type IdpStubCounts, type IdpStubOptions, idpStub } from './stubs/idp-stub.js'
import { secretsManagerStub } from './stubs/secrets-manager-stub.js'

export interface SteadyStateRequest {
  secretsManagerDelayMs: number
  oneWayMs: number
  calls: number
  warmup: number
  keyPem: string
  certPath: string
}

export interface SteadyStateResult {
  oursVia: string
  ours: LatencySummary
  seed: LatencySummary
  /** Reads of either secret: ours over its warm-up and measured calls, the seed's over its measured calls. */
  secretsManagerCalls: { ours: number; oursCalls: number; seed: number; seedCalls: number }
  /** What the IdP stub saw: ours over warm-up and measured calls, the seed's over its measured calls. */
  idp: { ours: IdpStubCounts; seed: IdpStubCounts }
}

const KEY_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-private-key'
const CLIENT_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-client-secret'

async function main(request: SteadyStateRequest): Promise<SteadyStateResult> {
  const cert = readFileSync(request.certPath, 'utf8')
  // The seed's key size: RSA-4096, for both sides.
  const jwk = await generatePrivateJwk('RS256-4096')
  const sm = secretsManagerStub(
    { [KEY_ARN]: JSON.stringify(jwk), [CLIENT_SECRET_ARN]: CLIENT_SECRET },
    request.secretsManagerDelayMs,
  )
  const smPort = await listen(sm)
  const stubOptions: IdpStubOptions = { tls: { key: request.keyPem, cert } }
  const idp = idpStub(stubOptions)
  const idpPort = await listen(idp)
  const relayPort = await listen(delayRelay(idpPort, request.oneWayMs))
  const idpOrigin = `https://127.0.0.1:${relayPort}`
  // Ours is configured with the issuer alone: discovery must happen once, not per call.
  stubOptions.issuer = idpOrigin

  const ours = await oursCall(smPort, idpOrigin)
  const seed = seedTokenCall({
    secretsManagerPort: smPort,
    secretArn: KEY_ARN,
    idpPort: relayPort,
    ca: cert,
    clientId: CLIENT_ID,
  })
  const form = new URLSearchParams(TOKEN_FORM)

  const run = async (call: () => Promise<number>, count: number) => {
    const samples: number[] = []
    for (let i = 0; i < count; i++) {
      const start = process.hrtime.bigint()
      const status = await call()
      samples.push(elapsedMs(start))
      if (status !== 200) throw new Error(`token call answered ${status}`)
    }
    return samples
  }
  const callsBefore = sm.calls
  await run(ours.call, request.warmup)
  const oursSamples = await run(ours.call, request.calls)
  const oursSm = sm.calls - callsBefore
  const oursIdp = { ...idp.counts }
  await run(() => seed(form), request.warmup)
  const seedStart = sm.calls
  const seedIdpStart = { ...idp.counts }
  const seedSamples = await run(() => seed(form), request.calls)
  return {
    oursVia: ours.via,
    ours: summarize(oursSamples),
    seed: summarize(seedSamples),
    secretsManagerCalls: {
      ours: oursSm,
      oursCalls: request.warmup + request.calls,
      seed: sm.calls - seedStart,
      seedCalls: request.calls,
    },
    idp: {
      ours: oursIdp,
      seed: {
        connections: idp.counts.connections - seedIdpStart.connections,
        discovery: idp.counts.discovery - seedIdpStart.discovery,
        token: idp.counts.token - seedIdpStart.token,
      },
    },
  }
}

/** Our token path: the Lambda token bundle when built, else core with a cached key source. */
async function oursCall(
  smPort: number,
  idpOrigin: string,
): Promise<{ via: string; call: () => Promise<number> }> {
  const bundle = lambdaBundle('token')
  // BENCH_STEADY_CORE=1 measures core alone even when the bundle exists (to split the two).
  if (!isSkipped(bundle) && !process.env.BENCH_STEADY_CORE) {
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${smPort}`,
      PROXY_BASE_URL: PROXY_ORIGIN,
      IDP_CLIENT_ID: CLIENT_ID,
      IDP_ISSUER: idpOrigin,
      COGNITO_REDIRECT_URIS: REDIRECT_URI,
      PKCE: 'false',
      PRIVATE_KEY_SECRET_ARN: KEY_ARN,
      CLIENT_SECRET_ARN,
      LOG_LEVEL: 'warn',
    })
    const module = (await import(bundle.path)) as { handler?: LambdaHandler }
    const handler = module.handler
    if (typeof handler === 'function') {
      return {
        via: 'Lambda token bundle',
        call: async () => {
          const event = httpApiEvent('POST', '/token', TOKEN_FORM, {
            'content-type': 'application/x-www-form-urlencoded',
          })
          return (await handler(event, LAMBDA_CONTEXT)).statusCode ?? 0
        },
      }
    }
  }
  // Core with what the Lambda adapter does: both secrets read once and cached.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  let keys: Promise<KeySource> | undefined
  const keySource: KeySource = {
    async signer() {
      keys ??= getSecretValue(smPort, KEY_ARN, agent).then((text) =>
        keySourceFromSet(parsePrivateKeySet(text)),
      )
      return (await keys).signer()
    },
    async publicJwks() {
      keys ??= getSecretValue(smPort, KEY_ARN, agent).then((text) =>
        keySourceFromSet(parsePrivateKeySet(text)),
      )
      return (await keys).publicJwks()
    },
  }
  let secret: Promise<string> | undefined
  const proxy = benchProxy(await generatePrivateJwk('ES256'), {
    idpOrigin,
    idp: { issuer: idpOrigin },
    pkce: false,
    store: undefined,
    keys: keySource,
    clientSecret: () => (secret ??= getSecretValue(smPort, CLIENT_SECRET_ARN, agent)),
    allowInsecureHttp: false,
    logger: silentLogger,
  })
  return {
    via: isSkipped(bundle)
      ? 'core, secrets cached (Lambda bundle not built yet)'
      : 'core, secrets cached (BENCH_STEADY_CORE=1)',
    call: async () => {
      const response = await proxy.handle(
        new Request(`${PROXY_ORIGIN}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: TOKEN_FORM,
        }),
      )
      await response.arrayBuffer()
      return response.status
    },
  }
}

process.on('disconnect', () => process.exit(0))
const result = await main(JSON.parse(process.argv[2] ?? '{}') as SteadyStateRequest)
process.send?.(result, () => process.exit(0))
