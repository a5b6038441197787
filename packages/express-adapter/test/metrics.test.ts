/**
 * The standalone server's opt-in /metrics (Prometheus text format, prom-client): off by default;
 * on its own port, a full sign-in against the strict IdP and then each failure class (a wrong
 * client secret, an unknown code, the IdP's own refusal, the IdP down, Redis down) show up as
 * the counters and latency histograms they should; on the proxy's port only with a bearer token.
 */
import type { LogFields, Logger } from '@idp-proxy/core'
import { createStrictIdp, type LoopbackServer, type StrictIdp } from '@idp-proxy/testing'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type RunningServer, type StartServerOptions, startServer } from '../src/index.js'
import {
  authorizeAtProxy,
  CLIENT_ID,
  CLIENT_SECRET,
  COGNITO_REDIRECT,
  callbackAtProxy,
  pkceFlow,
  tokenAtProxy,
} from './helpers/flow.js'
import { testKeys } from './helpers/keys.js'
import { parseSamples, type Samples, sample } from './helpers/prometheus.js'
import { rawClient } from './helpers/raw-socket.js'
import { freePort, type RedisProcess, startRedis } from './helpers/redis.js'
import { setUp } from './helpers/setup.js'

const test = suite('standalone server: /metrics')

let redis: RedisProcess
setUp(test, async () => {
  redis = await startRedis()
})
test.after(async () => {
  await redis?.stop()
})

type Logged = LogFields & { level: string; event: string }

async function serve(
  options: Omit<StartServerOptions, 'env'>,
  env: Record<string, string> = {},
): Promise<{ server: RunningServer; idp: StrictIdp; idpServer: LoopbackServer; logged: Logged[] }> {
  // The IdP listens on loopback, so taking it down is closing its server.
  const keys = await testKeys()
  const idp = createStrictIdp({
    clientId: CLIENT_ID,
    jwks: async () => keys.publicJwks,
    issParameter: true,
  })
  const idpServer = await idp.listen()
  const port = await freePort()
  // The failures these tests provoke log errors: captured, and asserted where they matter.
  const logged: Logged[] = []
  const logger: Logger = { log: (level, event, fields) => logged.push({ level, event, ...fields }) }
  const server = await startServer({
    logger,
    env: {
      PROXY_BASE_URL: `http://127.0.0.1:${port}`,
      IDP_ISSUER: idp.issuer,
      IDP_CLIENT_ID: CLIENT_ID,
      COGNITO_REDIRECT_URIS: COGNITO_REDIRECT,
      COGNITO_CLIENT_SECRET: CLIENT_SECRET,
      PRIVATE_KEY: JSON.stringify(keys.privateJwk),
      ALLOW_INSECURE_HTTP: 'true',
      LOG_LEVEL: 'error',
      ...env,
    },
    port,
    host: '127.0.0.1',
    ...options,
  }).catch(async (error: unknown) => {
    await idpServer.close()
    throw error
  })
  return {
    server: {
      ...server,
      async close() {
        await server.close()
        await idpServer.close()
      },
    },
    idp,
    idpServer,
    logged,
  }
}

async function scrape(url: string, init: RequestInit = {}): Promise<Samples> {
  const response = await fetch(url, init)
  assert.is(response.status, 200)
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
  return parseSamples(await response.text())
}

const urlsOf = (server: RunningServer) => ({
  authorize: `${server.url}/authorize`,
  token: `${server.url}/token`,
})

const failures = (samples: Samples, labels: Record<string, string>) =>
  sample(samples, 'idp_proxy_failures_total', labels)

test('off by default: no /metrics anywhere', async () => {
  const { server } = await serve({})
  try {
    assert.is(server.metricsUrl, undefined)
    assert.is((await fetch(`${server.url}/metrics`)).status, 404)
  } finally {
    await server.close()
  }
})

test('on its own port: a sign-in, then each failure class, counted as they happen', async () => {
  const { server, idp, idpServer, logged } = await serve(
    { metrics: { port: 0 } },
    { STORE: redis.url },
  )
  const metricsUrl = `${server.metricsUrl}/metrics`
  const urls = urlsOf(server)
  try {
    assert.match(server.metricsUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.is.not(server.metricsUrl, server.url)
    // Not on the proxy's (public) port.
    assert.is((await fetch(`${server.url}/metrics`)).status, 404)

    let samples = await scrape(metricsUrl)
    // Discovery ran once, before listening.
    assert.is(
      sample(samples, 'idp_proxy_idp_request_duration_seconds_count', {
        endpoint: 'discovery',
        outcome: '2xx',
      }),
      1,
    )
    assert.is(sample(samples, 'idp_proxy_signins_started_total'), 0)
    assert.ok(sample(samples, 'process_cpu_user_seconds_total') !== undefined, 'process metrics')

    const result = await pkceFlow(urls, idp)
    assert.is(result.status, 200, JSON.stringify(result.body))
    samples = await scrape(metricsUrl)
    assert.is(sample(samples, 'idp_proxy_signins_started_total'), 1)
    assert.is(sample(samples, 'idp_proxy_signins_completed_total'), 1)
    const token2xx = { endpoint: 'token', outcome: '2xx' }
    assert.is(sample(samples, 'idp_proxy_idp_request_duration_seconds_count', token2xx), 1)
    assert.ok((sample(samples, 'idp_proxy_idp_request_duration_seconds_sum', token2xx) ?? -1) >= 0)
    assert.is(
      sample(samples, 'idp_proxy_idp_request_duration_seconds_bucket', { ...token2xx, le: '+Inf' }),
      1,
    )
    assert.not.ok(samples.some((s) => s.name === 'idp_proxy_failures_total'))

    // invalid_client: Cognito's secret is wrong.
    const wrongSecret = await fetch(urls.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'whatever-code-handle-0123456789',
        redirect_uri: COGNITO_REDIRECT,
        client_id: CLIENT_ID,
        client_secret: `${CLIENT_SECRET}-not`,
      }),
    })
    assert.is(wrongSecret.status, 401)
    // invalid_grant: a code handle the proxy never issued (or one used already).
    assert.is((await tokenAtProxy(urls.token, result.code)).status, 400)
    samples = await scrape(metricsUrl)
    assert.is(
      failures(samples, { route: 'token', code: 'ERR_CLIENT_AUTH', error: 'invalid_client' }),
      1,
    )
    assert.is(
      failures(samples, { route: 'token', code: 'ERR_FLOW_NOT_FOUND', error: 'invalid_grant' }),
      1,
    )

    // The IdP refuses the exchange (its code was revoked meanwhile): the IdP's own error.
    const refused = await authorizeAtProxy(urls, idp)
    const refusedCode = await callbackAtProxy(refused.callbackUrl, refused.state)
    idp.revoke(new URL(refused.callbackUrl).searchParams.get('code') ?? '')
    const refusal = await tokenAtProxy(urls.token, refusedCode)
    assert.is(refusal.status, 400)
    assert.is(refusal.body.error, 'invalid_grant')
    samples = await scrape(metricsUrl)
    assert.is(failures(samples, { route: 'token', code: 'IDP_ERROR', error: 'invalid_grant' }), 1)
    assert.is(
      sample(samples, 'idp_proxy_idp_request_duration_seconds_count', {
        endpoint: 'token',
        outcome: '4xx',
      }),
      1,
    )

    // The IdP is down (discovery is cached): 502, and the failed call is timed as an error.
    const down = await authorizeAtProxy(urls, idp)
    const downCode = await callbackAtProxy(down.callbackUrl, down.state)
    await idpServer.close()
    assert.is((await tokenAtProxy(urls.token, downCode)).status, 502)
    samples = await scrape(metricsUrl)
    assert.is(
      failures(samples, {
        route: 'token',
        code: 'ERR_IDP_UNAVAILABLE',
        error: 'temporarily_unavailable',
      }),
      1,
    )
    assert.is(
      sample(samples, 'idp_proxy_idp_request_duration_seconds_count', {
        endpoint: 'token',
        outcome: 'error',
      }),
      1,
    )

    // Redis is down: /authorize cannot save the flow.
    await redis.kill()
    const storeDown = await fetch(
      `${urls.authorize}?${new URLSearchParams({
        client_id: CLIENT_ID,
        redirect_uri: COGNITO_REDIRECT,
        state: 'cognito-state-while-redis-is-down',
        response_type: 'code',
      })}`,
      { redirect: 'manual' },
    )
    assert.is(storeDown.status, 503)
    samples = await scrape(metricsUrl)
    assert.is(
      failures(samples, {
        route: 'authorize',
        code: 'ERR_STORE_UNAVAILABLE',
        error: 'temporarily_unavailable',
      }),
      1,
    )
    // Every start so far: the sign-in, the refused one and the one the IdP was down for.
    assert.is(sample(samples, 'idp_proxy_signins_started_total'), 3)
    assert.is(sample(samples, 'idp_proxy_signins_completed_total'), 1)
    // The two outages are logged as errors with their codes; the Redis client adds its own.
    const errors = logged.filter((line) => line.level === 'error')
    assert.equal(
      errors.filter((line) => line.event === 'request_failed').map((l) => [l.route, l.code]),
      [
        ['token', 'ERR_IDP_UNAVAILABLE'],
        ['authorize', 'ERR_STORE_UNAVAILABLE'],
      ],
    )
    assert.equal(
      errors.filter((line) => line.event !== 'request_failed' && line.event !== 'redis_error'),
      [],
    )
  } finally {
    await server.close()
    await redis.start()
  }
})

test('on the proxy port: a bearer token is required, and compared', async () => {
  const token = 'metrics-scrape-token-0123456789'
  const { server } = await serve({ metrics: { onProxyPort: true, bearerToken: token } })
  try {
    assert.is(server.metricsUrl, undefined)
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789abc', `Basic ${token}`]) {
      const refused = await fetch(`${server.url}/metrics`, {
        headers: authorization ? { authorization } : {},
      })
      assert.is(refused.status, 401)
      assert.is(refused.headers.get('www-authenticate'), 'Bearer realm="metrics"')
      assert.not.match(await refused.text(), /idp_proxy_/)
    }
    const samples = await scrape(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    })
    assert.is(sample(samples, 'idp_proxy_signins_started_total'), 0)
    // The scrape itself is no proxy request: nothing counted as a failure.
    assert.not.ok(samples.some((s) => s.name === 'idp_proxy_failures_total'))
  } finally {
    await server.close()
  }
})

test('a connection past maxConnections is counted as dropped', async () => {
  const { server } = await serve({
    metrics: { port: 0, processMetrics: false },
    limits: { maxConnections: 1 },
  })
  try {
    const held = await rawClient(server.url)
    held.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    await held.waitFor(/\{"status":"ok"\}/)
    const extra = await rawClient(server.url)
    assert.is(await extra.closed, '')
    const samples = await scrape(`${server.metricsUrl}/metrics`)
    assert.is(sample(samples, 'idp_proxy_connections_dropped_total'), 1)
    assert.not.ok(samples.some((s) => s.name.startsWith('process_')))
    held.socket.destroy()
  } finally {
    await server.close()
  }
})

test('bad metrics options are refused before anything listens', async () => {
  for (const [metrics, option] of [
    [{ onProxyPort: true }, 'metrics.bearerToken'],
    [{ bearerToken: 'short' }, 'metrics.bearerToken'],
    [{ port: 70_000 }, 'metrics.port'],
  ] as const) {
    try {
      const { server } = await serve({ metrics })
      await server.close()
      assert.unreachable(`started with ${JSON.stringify(metrics)}`)
    } catch (error) {
      assert.is((error as { option?: string }).option, option)
    }
  }
})

test.run()
