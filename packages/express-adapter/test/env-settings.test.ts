// The standalone server's own settings from the table: each limit variable reaches its limit,
// the METRICS_* variables reach the metrics options, and METRICS=prometheus serves /metrics.
import { isProxyError, SERVER_LIMITS, type ServerLimitName } from '@idp-proxy/core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { configFromEnv, SERVER_LIMIT_SETTINGS } from '../src/env-config.js'
import { startServer } from '../src/index.js'
import { mockedIdp } from './helpers/app.js'
import { CLIENT_ID, CLIENT_SECRET, COGNITO_REDIRECT } from './helpers/flow.js'
import { testKeys } from './helpers/keys.js'
import { freePort } from './helpers/redis.js'

const test = suite('server settings from the environment')

const keys = await testKeys()
const env = (extra: Record<string, string> = {}) => ({
  PROXY_BASE_URL: 'https://proxy.example.test',
  IDP_ISSUER: 'https://idp.example.test',
  IDP_CLIENT_ID: 'client',
  COGNITO_REDIRECT_URIS: 'https://auth.example.test/oauth2/idpresponse',
  COGNITO_CLIENT_SECRET: 'a-secret-of-thirty-two-characters',
  PRIVATE_KEY: JSON.stringify(keys.privateJwk),
  LOG_LEVEL: 'error',
  ...extra,
})

async function problems(extra: Record<string, string>): Promise<string[]> {
  try {
    await configFromEnv(env(extra))
  } catch (error) {
    assert.ok(isProxyError(error), String(error))
    return error.problems.map((problem) => problem.name)
  }
  return []
}

test('each limit variable reaches its server limit; the others keep their defaults', async () => {
  for (const [limit, variable] of Object.entries(SERVER_LIMIT_SETTINGS) as [
    ServerLimitName,
    string,
  ][]) {
    const value = SERVER_LIMITS[limit].default + 1
    const { limits } = await configFromEnv(env({ [variable]: String(value) }))
    assert.is(limits[limit], value, variable)
    for (const other of Object.keys(SERVER_LIMITS) as ServerLimitName[]) {
      if (other !== limit) assert.is(limits[other], SERVER_LIMITS[other].default, other)
    }
  }
})

test('a limit out of range, or past REQUEST_TIMEOUT_MS, is refused under its variable', async () => {
  assert.equal(await problems({ MAX_HEADER_BYTES: '10' }), ['MAX_HEADER_BYTES'])
  assert.equal(await problems({ REQUEST_TIMEOUT_MS: '20000', BODY_TIMEOUT_MS: '25000' }), [
    'BODY_TIMEOUT_MS',
  ])
})

test('METRICS=prometheus and the METRICS_* variables reach the metrics options', async () => {
  assert.is((await configFromEnv(env())).metrics, undefined, 'off by default')
  const { metrics } = await configFromEnv(
    env({
      METRICS: 'prometheus',
      METRICS_PORT: '0',
      METRICS_HOST: '127.0.0.1',
      METRICS_ON_PROXY_PORT: 'true',
      METRICS_BEARER_TOKEN: 'a-scrape-token-0123456789',
      METRICS_PROCESS: 'false',
    }),
  )
  assert.equal(metrics, {
    port: 0,
    host: '127.0.0.1',
    onProxyPort: true,
    bearerToken: 'a-scrape-token-0123456789',
    processMetrics: false,
  })
})

test('METRICS settings that cannot apply are refused under their variable', async () => {
  assert.equal(await problems({ METRICS: 'emf' }), ['METRICS'])
  assert.equal(await problems({ METRICS_PORT: '9100' }), ['METRICS_PORT'])
  assert.equal(await problems({ METRICS: 'prometheus', METRICS_BEARER_TOKEN: 'short' }), [
    'METRICS_BEARER_TOKEN',
  ])
})

test('startServer: a bad metrics setting names its variable before anything listens', async () => {
  const port = await freePort()
  try {
    await startServer({
      env: env({ METRICS: 'prometheus', METRICS_ON_PROXY_PORT: 'true' }),
      port,
      host: '127.0.0.1',
    })
    assert.unreachable('started')
  } catch (error) {
    assert.ok(isProxyError(error), String(error))
    assert.equal(
      error.problems.map((problem) => problem.name),
      ['METRICS_BEARER_TOKEN'],
    )
  }
})

test('METRICS=prometheus: the server serves /metrics on METRICS_PORT', async () => {
  const { idp, privateJwk } = await mockedIdp()
  const port = await freePort()
  const server = await startServer({
    env: {
      PROXY_BASE_URL: `http://127.0.0.1:${port}`,
      IDP_ISSUER: idp.issuer,
      IDP_CLIENT_ID: CLIENT_ID,
      COGNITO_REDIRECT_URIS: COGNITO_REDIRECT,
      COGNITO_CLIENT_SECRET: CLIENT_SECRET,
      PRIVATE_KEY: JSON.stringify(privateJwk),
      ALLOW_INSECURE_HTTP: 'true',
      LOG_LEVEL: 'error',
      METRICS: 'prometheus',
      METRICS_PORT: '0',
      METRICS_PROCESS: 'false',
    },
    port,
    host: '127.0.0.1',
  })
  try {
    assert.ok(server.metricsUrl, 'a metrics listener of its own')
    assert.is.not(new URL(server.metricsUrl).port, String(port))
    const response = await fetch(`${server.metricsUrl}/metrics`)
    assert.is(response.status, 200)
    const text = await response.text()
    assert.match(text, /^# HELP idp_proxy_/m)
    assert.not.match(text, /^process_/m, 'METRICS_PROCESS=false: no process metrics')
    assert.is((await fetch(`${server.url}/metrics`)).status, 404, 'not on the proxy port')
  } finally {
    await server.close()
  }
})

test.run()
