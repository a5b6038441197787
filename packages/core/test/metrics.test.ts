/**
 * The metrics hook: a full sign-in counts one start and one completion and times each IdP call
 * by endpoint; every failure class is counted once by route, code and OAuth error; routes that
 * are neither (JWKS, health) count nothing; a sink that throws never fails a request.
 */
import { HttpResponse, http } from 'msw'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  createMemoryStore,
  type FlowStore,
  IDP_ERROR_CODE,
  type MetricLabels,
  type MetricsSink,
  staticKeySource,
} from '../src/index.js'
import { idpEndpointOf, instrument } from '../src/metrics-instrument.js'
import { resolveOptions } from '../src/options.js'
import {
  authorizeUrl,
  BASE_URL,
  CLIENT_SECRET,
  COGNITO_STATE,
  captureLogger,
  cognitoTokenFields,
  createProxy,
  ISSUER,
  mockIdp,
  mswServer,
  privateJwk,
  proxyOptions,
  TOKEN_ENDPOINT,
  tokenRequest,
} from './support/fixtures.js'

interface Recorded {
  counts: { name: string; labels: MetricLabels }[]
  observations: { name: string; valueMs: number; labels: MetricLabels }[]
}

function recordingSink(): MetricsSink & Recorded {
  const counts: Recorded['counts'] = []
  const observations: Recorded['observations'] = []
  return {
    counts,
    observations,
    count(name, labels) {
      counts.push({ name, labels })
    },
    observe(name, valueMs, labels) {
      observations.push({ name, valueMs, labels })
    },
  }
}

async function setup(overrides: Parameters<typeof proxyOptions>[1] = {}) {
  const jwk = await privateJwk('ES256')
  const keys = staticKeySource(jwk)
  const metrics = recordingSink()
  const logger = captureLogger()
  const proxy = createProxy(proxyOptions(jwk, { keys, metrics, logger, ...overrides }))
  const idp = mockIdp(keys)
  return { proxy, idp, metrics, logger }
}

type Setup = Awaited<ReturnType<typeof setup>>

/** /authorize and the IdP's sign-in: the IdP's redirect back to the proxy's /callback. */
async function toCallback(ctx: Setup): Promise<{ code: string; state: string }> {
  const authorize = await ctx.proxy.handle(new Request(authorizeUrl()))
  assert.is(authorize.status, 302)
  return ctx.idp.signIn(authorize.headers.get('location') as string)
}

/** A whole trip to the IdP and back: Cognito's code handle (and the IdP's code behind it). */
async function codeHandle(ctx: Setup, onIdpCode: (code: string) => void = () => {}) {
  const { code, state } = await toCallback(ctx)
  onIdpCode(code)
  const callback = await ctx.proxy.handle(
    new Request(`${BASE_URL}/callback?code=${code}&state=${encodeURIComponent(state)}`),
  )
  assert.is(callback.status, 302)
  return new URL(callback.headers.get('location') as string).searchParams.get('code') as string
}

function failures(metrics: Recorded) {
  return metrics.counts.filter((c) => c.name === 'failures').map((c) => c.labels)
}

function names(metrics: Recorded) {
  return metrics.counts.map((c) => c.name)
}

test('a full sign-in: one start, one completion, discovery, token and JWKS timed, no failure', async () => {
  const ctx = await setup()
  const tokens = await ctx.proxy.handle(tokenRequest(cognitoTokenFields(await codeHandle(ctx))))
  assert.is(tokens.status, 200)
  assert.equal(names(ctx.metrics), ['signins_started', 'signins_completed'])
  assert.equal(
    ctx.metrics.observations.map((o) => [o.name, o.labels.endpoint, o.labels.outcome]),
    [
      ['idp_request_duration', 'discovery', '2xx'],
      ['idp_request_duration', 'token', '2xx'],
      // The id_token is verified against the IdP's JWKS, fetched on first use.
      ['idp_request_duration', 'jwks', '2xx'],
    ],
  )
  for (const { valueMs } of ctx.metrics.observations) {
    assert.ok(Number.isFinite(valueMs) && valueMs >= 0, String(valueMs))
  }
})

test("the IdP's latency is measured with the injected clock", async () => {
  // Moves 7 ms per reading: the discovery call is timed at exactly 7 ms.
  let clock = Date.now()
  const ctx = await setup({ now: () => (clock += 7) })
  assert.is((await ctx.proxy.handle(new Request(authorizeUrl()))).status, 302)
  assert.equal(ctx.metrics.observations, [
    {
      name: 'idp_request_duration',
      valueMs: 7,
      labels: { endpoint: 'discovery', outcome: '2xx' },
    },
  ])
})

test('JWKS, health and a sign-in still at the IdP count nothing', async () => {
  const ctx = await setup()
  for (const path of ['/.well-known/jwks.json', '/health']) {
    assert.is((await ctx.proxy.handle(new Request(`${BASE_URL}${path}`))).status, 200)
  }
  assert.equal(ctx.metrics.counts, [])
})

test('each failure class is counted once, by route, code and OAuth error', async () => {
  const ctx = await setup()
  const expected: MetricLabels[] = []
  const expect = (labels: MetricLabels) => {
    expected.push(labels)
    assert.equal(failures(ctx.metrics), expected)
  }

  await ctx.proxy.handle(new Request(`${BASE_URL}/nowhere`))
  expect({ route: 'unknown', code: 'ERR_NOT_FOUND', error: 'invalid_request' })

  await ctx.proxy.handle(new Request(authorizeUrl({ client_id: 'someone-else' })))
  expect({ route: 'authorize', code: 'ERR_UNKNOWN_CLIENT', error: 'invalid_request' })

  await ctx.proxy.handle(new Request(`${BASE_URL}/callback?code=c&state=unknown-state-handle-1234`))
  expect({ route: 'callback', code: 'ERR_FLOW_NOT_FOUND', error: 'invalid_grant' })

  // The IdP sends the user back with an error: a failure the IdP decided.
  for (const [sent, label] of [
    ['access_denied', 'access_denied'],
    ['made_up_error_string', 'other'],
  ] as const) {
    const { state } = await toCallback(ctx)
    const back = await ctx.proxy.handle(
      new Request(`${BASE_URL}/callback?error=${sent}&state=${encodeURIComponent(state)}`),
    )
    assert.is(back.status, 302)
    expect({ route: 'callback', code: IDP_ERROR_CODE, error: label })
  }

  const code = await codeHandle(ctx)
  await ctx.proxy.handle(
    tokenRequest(cognitoTokenFields(code, { client_secret: `${CLIENT_SECRET}-wrong` })),
  )
  expect({ route: 'token', code: 'ERR_CLIENT_AUTH', error: 'invalid_client' })

  await ctx.proxy.handle(tokenRequest(cognitoTokenFields('no-such-code-handle-0123456789')))
  expect({ route: 'token', code: 'ERR_FLOW_NOT_FOUND', error: 'invalid_grant' })

  // The IdP refuses the exchange (its code was revoked): its own error, passed on to Cognito.
  const revoked = await codeHandle(ctx, (idpCode) => ctx.idp.revoke(idpCode))
  const refused = await ctx.proxy.handle(tokenRequest(cognitoTokenFields(revoked)))
  assert.is(refused.status, 400)
  assert.equal(ctx.idp.refusals, ['invalid_grant: unknown or used code'])
  expect({ route: 'token', code: IDP_ERROR_CODE, error: 'invalid_grant' })

  // The IdP is down: 502, and its failed call is timed as an error.
  const down = await codeHandle(ctx)
  mswServer(...ctx.idp.handlers).use(http.post(TOKEN_ENDPOINT, () => HttpResponse.error()))
  assert.is((await ctx.proxy.handle(tokenRequest(cognitoTokenFields(down)))).status, 502)
  expect({ route: 'token', code: 'ERR_IDP_UNAVAILABLE', error: 'temporarily_unavailable' })
  assert.equal(ctx.metrics.observations.at(-1)?.labels, { endpoint: 'token', outcome: 'error' })

  assert.is(names(ctx.metrics).filter((n) => n === 'signins_completed').length, 0)

  // Label values come from fixed sets: no state, code, secret or IdP string becomes one.
  const recorded = JSON.stringify([ctx.metrics.counts, ctx.metrics.observations])
  for (const secret of [
    CLIENT_SECRET,
    COGNITO_STATE,
    code,
    revoked,
    down,
    'made_up_error_string',
  ]) {
    assert.not.ok(recorded.includes(secret), secret)
  }
})

test('the flow store down: 503, counted on the route it hit', async () => {
  const memory = createMemoryStore()
  let up = true
  const store: FlowStore = {
    save: (record, ttl) => (up ? memory.save(record, ttl) : Promise.reject(new Error('down'))),
    take: (handle, kind) => (up ? memory.take(handle, kind) : Promise.reject(new Error('down'))),
  }
  const ctx = await setup({ store })
  const { code, state } = await toCallback(ctx)
  up = false
  assert.is((await ctx.proxy.handle(new Request(authorizeUrl()))).status, 503)
  const callback = await ctx.proxy.handle(
    new Request(`${BASE_URL}/callback?code=${code}&state=${encodeURIComponent(state)}`),
  )
  assert.is(callback.status, 503)
  assert.equal(failures(ctx.metrics), [
    { route: 'authorize', code: 'ERR_STORE_UNAVAILABLE', error: 'temporarily_unavailable' },
    { route: 'callback', code: 'ERR_STORE_UNAVAILABLE', error: 'temporarily_unavailable' },
  ])
})

test('a sink that throws loses its measurement, not the request, and is logged once', async () => {
  const jwk = await privateJwk('ES256')
  const keys = staticKeySource(jwk)
  const logger = captureLogger()
  const broken: MetricsSink = {
    count() {
      throw new TypeError('sink bug')
    },
    observe() {
      throw new TypeError('sink bug')
    },
  }
  const proxy = createProxy(proxyOptions(jwk, { keys, logger, metrics: broken }))
  mockIdp(keys)
  assert.is((await proxy.handle(new Request(authorizeUrl()))).status, 302)
  assert.is((await proxy.handle(new Request(`${BASE_URL}/nowhere`))).status, 404)
  assert.equal(
    logger.events.filter((e) => e.event === 'metrics_failed'),
    [{ event: 'metrics_failed', cause: 'TypeError' }],
  )
})

test('without a sink nothing is wrapped: the options (and the injected fetch) stay as they are', async () => {
  const jwk = await privateJwk('ES256')
  const resolved = resolveOptions(proxyOptions(jwk))
  const instrumented = instrument(resolved, captureLogger())
  assert.is(instrumented.config, resolved)
  assert.is(instrumented.metrics, undefined)
  const source = async () => {
    throw new Error('not called')
  }
  assert.is(instrumented.watch(source), source)
  // With a sink, fetch is the timed wrapper.
  const withSink = resolveOptions(proxyOptions(jwk, { metrics: recordingSink() }))
  assert.is.not(instrument(withSink, captureLogger()).config.fetch, withSink.fetch)
})

test('metrics: an object without count/observe is refused at creation', async () => {
  const jwk = await privateJwk('ES256')
  try {
    createProxy(proxyOptions(jwk, { metrics: { count() {} } as unknown as MetricsSink }))
    assert.unreachable('accepted a broken sink')
  } catch (error) {
    assert.is((error as { option?: string }).option, 'metrics')
  }
})

test('idpEndpointOf: endpoints by URL (query ignored), discovery below the issuer, else other', () => {
  const idp = {
    issuer: new URL(`${ISSUER}/tenant`),
    endpoints: () =>
      [
        ['token', `${ISSUER}/oauth2/token`],
        ['jwks', `${ISSUER}/keys?v=1`],
        ['par', `${ISSUER}/oauth2/par`],
        ['userinfo', undefined],
      ] as const,
  }
  assert.is(idpEndpointOf(`${ISSUER}/oauth2/token`, idp), 'token')
  assert.is(idpEndpointOf(`${ISSUER}/keys`, idp), 'jwks')
  assert.is(idpEndpointOf(`${ISSUER}/oauth2/par?x=1`, idp), 'par')
  assert.is(idpEndpointOf(`${ISSUER}/tenant/.well-known/openid-configuration`, idp), 'discovery')
  assert.is(
    idpEndpointOf(`${ISSUER}/.well-known/oauth-authorization-server/tenant`, idp),
    'discovery',
  )
  assert.is(
    idpEndpointOf('https://elsewhere.example/.well-known/openid-configuration', idp),
    'other',
  )
  assert.is(idpEndpointOf(`${ISSUER}/userinfo`, idp), 'other')
  assert.is(idpEndpointOf('not a url', idp), 'other')
})

test.run()
