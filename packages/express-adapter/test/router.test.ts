import type { Proxy as IdpProxy } from '@idp-proxy/core'
import type { StrictIdp } from '@idp-proxy/testing'
import express from 'express'
import express4 from 'express4'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { proxyHandler, proxyRouter } from '../src/index.js'
import { listen, type TestServer, testProxy } from './helpers/app.js'
import {
  CLIENT_ID,
  CLIENT_SECRET,
  COGNITO_REDIRECT,
  pkceFlow,
  plainFlow,
  tokenAtProxy,
} from './helpers/flow.js'

type Express = typeof express
type BodyParsers = 'none' | 'urlencoded' | 'json' | 'both'

interface Mounted {
  server: TestServer
  base: string
  urls: { authorize: string; token: string }
  proxy: IdpProxy
  idp: StrictIdp
}

const servers: TestServer[] = []

/** An app of the given Express with the router under `prefix`, body parsers in front as asked. */
async function mount(options: {
  lib?: Express
  prefix?: string
  parsers?: BodyParsers
  pkce?: boolean
  trustProxy?: boolean
  maxBodyBytes?: number
  useHandler?: boolean
}): Promise<Mounted> {
  const lib = options.lib ?? express
  const prefix = options.prefix ?? ''
  const server = await listen()
  servers.push(server)
  const base = `${server.origin}${prefix}`
  const { proxy, idp } = await testProxy(base, { pkce: options.pkce ?? true })
  const app = lib()
  if (options.trustProxy) app.set('trust proxy', true)
  const parsers = options.parsers ?? 'none'
  if (parsers === 'urlencoded' || parsers === 'both')
    app.use(lib.urlencoded({ extended: lib === express4 }))
  if (parsers === 'json' || parsers === 'both') app.use(lib.json())
  const routerOptions = options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}
  const router = options.useHandler
    ? lib.Router().use(proxyHandler(proxy, routerOptions))
    : proxyRouter(proxy, routerOptions)
  app.use(prefix || '/', router)
  app.get('/other', (_req, res) => {
    res.send('the app')
  })
  server.setListener(app)
  return {
    server,
    base,
    urls: { authorize: `${base}/authorize`, token: `${base}/token` },
    proxy,
    idp,
  }
}

const closeAll = async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
}

function assertSignedIn(
  result: { status: number; body: Record<string, unknown> },
  idp: StrictIdp,
  pkce: boolean,
) {
  assert.equal(idp.refusals, [], 'the IdP refused nothing')
  assert.is(result.status, 200, JSON.stringify(result.body))
  assert.type(result.body.access_token, 'string')
  assert.is(idp.exchanges.at(-1)?.pkce, pkce)
}

for (const [name, lib] of [
  ['Express 5', express],
  ['Express 4', express4],
] as const) {
  const flows = suite(`${name}: full flows`)
  flows.after(closeAll)

  for (const parsers of ['none', 'urlencoded', 'json', 'both'] as const) {
    for (const pkce of [true, false]) {
      flows(`PKCE ${pkce ? 'on' : 'off'}, body parsers: ${parsers}, mounted at /`, async () => {
        const app = await mount({ lib, parsers, pkce })
        const result = await (pkce ? pkceFlow : plainFlow)(app.urls, app.idp)
        assertSignedIn(result, app.idp, pkce)
        // The handle (or the IdP's code) is single-use.
        const again = await tokenAtProxy(app.urls.token, result.code)
        assert.is(again.status, 400)
        assert.is(again.body.error, 'invalid_grant')
      })
    }
  }

  for (const pkce of [true, false]) {
    flows(`PKCE ${pkce ? 'on' : 'off'} under /idp with express.urlencoded in front`, async () => {
      const app = await mount({ lib, prefix: '/idp', parsers: 'urlencoded', pkce })
      assert.ok(app.proxy.callbackUrl.endsWith('/idp/callback'))
      assertSignedIn(await (pkce ? pkceFlow : plainFlow)(app.urls, app.idp), app.idp, pkce)
    })
  }

  flows(
    'the route paths contain the prefix segment too (base /oauth, routes under /oauth)',
    async () => {
      const server = await listen()
      servers.push(server)
      const base = `${server.origin}/oauth`
      const { proxy, idp } = await testProxy(base, {
        paths: {
          authorize: '/oauth/authorize',
          callback: '/oauth/callback',
          token: '/oauth/token',
          jwks: '/oauth/jwks',
          health: '/oauth/health',
        },
      })
      const app = lib()
      app.use('/oauth', proxyRouter(proxy))
      server.setListener(app)
      const result = await pkceFlow(
        { authorize: `${base}/oauth/authorize`, token: `${base}/oauth/token` },
        idp,
      )
      assertSignedIn(result, idp, true)
    },
  )

  flows(`${name}'s own Router around proxyHandler`, async () => {
    const app = await mount({ lib, prefix: '/idp', useHandler: true })
    assertSignedIn(await pkceFlow(app.urls, app.idp), app.idp, true)
  })

  flows('behind trust proxy: forwarded host and proto change nothing the IdP sees', async () => {
    const app = await mount({ lib, prefix: '/idp', trustProxy: true, parsers: 'both' })
    const forged = {
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      'x-forwarded-for': '203.0.113.9',
    }
    const authorize = new URL(app.urls.authorize)
    for (const [k, v] of Object.entries({
      client_id: CLIENT_ID,
      redirect_uri: COGNITO_REDIRECT,
      state: 'cognito-state-123456789',
      response_type: 'code',
    })) {
      authorize.searchParams.set(k, v)
    }
    const response = await fetch(authorize, { redirect: 'manual', headers: forged })
    assert.is(response.status, 302)
    const toIdp = new URL(response.headers.get('location') as string)
    assert.is(toIdp.searchParams.get('redirect_uri'), `${app.base}/callback`)
    assertSignedIn(await pkceFlow(app.urls, app.idp, { headers: forged }), app.idp, true)
  })

  flows.run()

  const bodies = suite(`${name}: request bodies`)
  bodies.after(closeAll)

  bodies(
    'a repeated parameter survives re-encoding by express.urlencoded (and is refused)',
    async () => {
      const app = await mount({ lib, parsers: 'urlencoded' })
      const response = await fetch(app.urls.token, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=authorization_code&code=aaaaaaaaaaaaaaaaaaaa&code=bbbbbbbbbbbbbbbbbbbb&redirect_uri=${encodeURIComponent(COGNITO_REDIRECT)}&client_id=${CLIENT_ID}&client_secret=${CLIENT_SECRET}`,
      })
      assert.is(response.status, 400)
      assert.equal(await response.json(), {
        error: 'invalid_request',
        error_description: 'code is repeated',
      })
    },
  )

  bodies('a JSON token request stays JSON after express.json and is refused', async () => {
    const app = await mount({ lib, parsers: 'json' })
    const response = await fetch(app.urls.token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'authorization_code',
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      }),
    })
    assert.is(response.status, 400)
    assert.is(((await response.json()) as { error: string }).error, 'invalid_request')
  })

  for (const parsers of ['none', 'urlencoded'] as const) {
    bodies(`body limit with a declared length (parsers: ${parsers}) -> 413 JSON`, async () => {
      const app = await mount({ lib, parsers, maxBodyBytes: 2048 })
      const response = await fetch(app.urls.token, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=authorization_code&code=${'x'.repeat(4000)}`,
      })
      assert.is(response.status, 413)
      assert.equal(await response.json(), {
        error: 'invalid_request',
        error_description: 'the body is larger than 2048 bytes',
      })
    })
  }

  bodies(
    'body limit on a chunked stream without a length -> 413 JSON, connection closed',
    async () => {
      const app = await mount({ lib, maxBodyBytes: 2048 })
      const chunk = new TextEncoder().encode(`code=${'y'.repeat(1000)}&`)
      let sent = 0
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          // Far more than the limit; the server must answer without reading it all.
          if (sent++ < 1000) controller.enqueue(chunk)
          else controller.close()
        },
      })
      const response = await fetch(app.urls.token, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        duplex: 'half',
      } as RequestInit)
      assert.is(response.status, 413)
      assert.is(response.headers.get('connection'), 'close')
      assert.equal(await response.json(), {
        error: 'invalid_request',
        error_description: 'the body is larger than 2048 bytes',
      })
    },
  )

  bodies(
    'a body the parser did not take is streamed (text/plain) and refused by core',
    async () => {
      const app = await mount({ lib, parsers: 'both' })
      const response = await fetch(app.urls.token, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'hello',
      })
      assert.is(response.status, 400)
      assert.is(
        ((await response.json()) as { error_description: string }).error_description,
        'the body must be application/x-www-form-urlencoded',
      )
    },
  )

  bodies.run()

  const routing = suite(`${name}: routing`)
  routing.after(closeAll)

  routing('paths that are not the proxy fall through to the app', async () => {
    const app = await mount({ lib })
    assert.is(await (await fetch(`${app.server.origin}/other`)).text(), 'the app')
    assert.is((await fetch(`${app.server.origin}/nothing-here`)).status, 404)
  })

  routing(
    'under a prefix: /idp/health and /idp/.well-known/jwks.json are served, /health is the app',
    async () => {
      const app = await mount({ lib, prefix: '/idp' })
      const health = await fetch(`${app.base}/health`)
      assert.is(health.status, 200)
      assert.equal(await health.json(), { status: 'ok' })
      const jwks = (await (await fetch(`${app.base}/.well-known/jwks.json`)).json()) as {
        keys: { kid: string; d?: string }[]
      }
      assert.is(jwks.keys.length, 1)
      assert.is(jwks.keys[0]?.d, undefined)
      assert.is((await fetch(`${app.server.origin}/health`)).status, 404)
    },
  )

  routing('wrong method -> 405 JSON from core; HEAD has no body', async () => {
    const app = await mount({ lib })
    const response = await fetch(app.urls.token)
    assert.is(response.status, 405)
    assert.is(((await response.json()) as { error: string }).error, 'invalid_request')
    const head = await fetch(`${app.base}/health`, { method: 'HEAD' })
    assert.is(head.status, 200)
    assert.is(await head.text(), '')
  })

  routing.run()
}
