/**
 * The server side of the HTTP benchmarks, in its own process so that the load generator (in the
 * parent) and the servers do not share one event loop. argv[2] is a JSON request; the child
 * answers with one IPC message of ports and runs until the parent kills it.
 */
import { createServer } from 'node:http'
import { silentLogger } from '@idp-proxy/core'
import { standaloneHandler } from '@idp-proxy/express-adapter'
import express from 'express'
import { generatePrivateJwk, KEY_TYPES, type KeyType } from './keys.js'
import { nodeHttpFetch } from './node-http-fetch.js'
import {
  AUTHORIZE_PATH,
  benchProxy,
  listen,
  NODE_FETCH_VARIANT,
  PROXY_ORIGIN,
  serveProxy,
} from './proxy-setup.js'
import { idpStub } from './stubs/idp-stub.js'
import { applyWhatIf } from './what-if.js'

export type ChildRequest = { mode: 'authorize' } | { mode: 'token'; types?: KeyType[] }

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
  const { server, via } = await serveProxy(proxy)

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

async function tokenServers(types: readonly KeyType[]): Promise<ChildReady> {
  const stub = idpStub()
  const stubPort = await listen(stub)
  const ports: Record<string, number> = { stub: stubPort }
  let via = ''
  for (const type of types) {
    const proxy = benchProxy(await generatePrivateJwk(type), {
      idpOrigin: `http://127.0.0.1:${stubPort}`,
      pkce: false,
      store: undefined,
    })
    await proxy.ready()
    const served = await serveProxy(proxy)
    via = served.via
    ports[type] = await listen(served.server)
  }
  // The proposed fix, prototyped: the same RS256-2048 proxy with fetch over node:http.
  const withNodeFetch = benchProxy(await generatePrivateJwk('RS256-2048'), {
    idpOrigin: `http://127.0.0.1:${stubPort}`,
    pkce: false,
    store: undefined,
    fetch: nodeHttpFetch(),
  })
  await withNodeFetch.ready()
  ports[NODE_FETCH_VARIANT] = await listen((await serveProxy(withNodeFetch)).server)
  return { via, ports }
}

// Never outlive the parent, whatever happens to it.
process.on('disconnect', () => process.exit(0))
// A clean exit on SIGTERM, so that --cpu-prof writes its profile.
process.on('SIGTERM', () => process.exit(0))

// Experiments only (BENCH_WHATIF): see what-if.ts.
const whatIf = applyWhatIf()

const request = JSON.parse(process.argv[2] ?? '{}') as ChildRequest
const ready =
  request.mode === 'authorize'
    ? await authorizeServers()
    : await tokenServers(request.types ?? KEY_TYPES)
process.send?.({
  ...ready,
  via: whatIf.length ? `${ready.via} + what-if ${whatIf.join('+')}` : ready.via,
})
