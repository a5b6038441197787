/**
 * The server side of the HTTP benchmarks, in its own process so that the load generator (in the
 * parent) and the servers do not share one event loop. argv[2] is a JSON request; the child
 * answers with one IPC message of ports and runs until the parent kills it.
 */
import { createServer } from 'node:http'
import type { ProxyOptions } from '@idp-proxy/core'
import { silentLogger } from '@idp-proxy/core'
import { nodeSignatureCheck } from '@idp-proxy/core/node'
import { keepAliveFetch, standaloneHandler } from '@idp-proxy/express-adapter'
import express from 'express'
import { generatePrivateJwk, type KeyType } from './keys.js'
import {
  AUTHORIZE_PATH,
  benchProxy,
  GLOBAL_FETCH_VARIANT,
  listen,
  PASS_THROUGH_VARIANT,
  PROXY_ORIGIN,
  serveProxy,
  TOKEN_KEY_TYPES,
} from './proxy-setup.js'
import { idpStub } from './stubs/idp-stub.js'
import { passThrough } from './stubs/pass-through.js'

export type ChildRequest = { mode: 'authorize' } | { mode: 'token' }

export interface ChildReady {
  via: string
  ports: Record<string, number>
  location?: string
}

async function authorizeServers(): Promise<ChildReady> {
  const proxy = benchProxy(await generatePrivateJwk('ES256'))
  await proxy.ready()
  const sample = await proxy.handle(new Request(new URL(AUTHORIZE_PATH, PROXY_ORIGIN)))
  const location = sample.headers.get('location')
  if (sample.status !== 302 || !location)
    throw new Error(`the proxy answered ${sample.status} to /authorize`)
  const { server, via } = serveProxy(proxy)

  // The same 302 with a Location of the same length, and nothing else: the floor for Express.
  const bare = express()
  bare.get('/authorize', (_req, res) => {
    res.redirect(302, location)
  })
  // The standalone server's request handling (`idp-proxy serve`: node:http, no Express).
  const standalone = benchProxy(await generatePrivateJwk('ES256'))
  await standalone.ready()
  const handle = standaloneHandler(standalone, { logger: silentLogger })
  return {
    via,
    location,
    ports: {
      proxy: await listen(server),
      bare: await listen(createServer(bare)),
      standalone: await listen(createServer(handle)),
    },
  }
}

/**
 * The token servers: the standalone server's handler (node:http, the IdP over keepAliveFetch,
 * id_tokens checked with nodeSignatureCheck, as `idp-proxy serve` runs) per key type (every signing algorithm), and one RS256-2048 proxy on the global fetch (undici) to
 * show what the keep-alive client saves. PKCE off (no store), explicit endpoints (no discovery);
 * the stub's id_token is verified against its JWKS. Beside them, a bare pass-through to the stub:
 * the floor of any proxy (stubs/pass-through.ts).
 */
async function tokenServers(): Promise<ChildReady> {
  const stub = idpStub()
  const stubPort = await listen(stub)
  const ports: Record<string, number> = { stub: stubPort }
  const variants: [string, KeyType, Partial<ProxyOptions>][] = [
    ...TOKEN_KEY_TYPES.map((type): [string, KeyType, Partial<ProxyOptions>] => [
      type,
      type,
      { fetch: keepAliveFetch(), signatureCheck: nodeSignatureCheck },
    ]),
    [GLOBAL_FETCH_VARIANT, 'RS256-2048', { signatureCheck: nodeSignatureCheck }],
  ]
  for (const [name, type, extra] of variants) {
    const proxy = benchProxy(await generatePrivateJwk(type), {
      idpOrigin: `http://127.0.0.1:${stubPort}`,
      pkce: false,
      store: undefined,
      ...extra,
    })
    await proxy.ready()
    ports[name] = await listen(createServer(standaloneHandler(proxy, { logger: silentLogger })))
  }
  ports[PASS_THROUGH_VARIANT] = await listen(passThrough(stubPort))
  return { via: 'standalone', ports }
}

// Never outlive the parent, whatever happens to it.
process.on('disconnect', () => process.exit(0))
// A clean exit on SIGTERM, so that --cpu-prof writes its profile.
process.on('SIGTERM', () => process.exit(0))
process.on('message', (message) => {
  if (message === 'cpu') process.send?.(process.cpuUsage())
})

const request = JSON.parse(process.argv[2] ?? '{}') as ChildRequest
const ready = request.mode === 'authorize' ? await authorizeServers() : await tokenServers()
process.send?.(ready)
