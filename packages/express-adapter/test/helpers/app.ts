/**
 * A real HTTP server on 127.0.0.1 (port 0) with the proxy router mounted, and a strict IdP behind
 * msw. The server listens first so the proxy's base URL can carry the real port.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  createMemoryStore,
  createProxy,
  type FlowStore,
  type Proxy as IdpProxy,
  type ProxyOptions,
  silentLogger,
  staticKeySource,
} from '@idp-proxy/core'
import { createStrictIdp, type StrictIdp, startMsw } from '@idp-proxy/testing'
import { CLIENT_ID, CLIENT_SECRET, COGNITO_REDIRECT } from './flow.js'
import { testKeys } from './keys.js'

let idpCount = 0

/** A strict IdP reached through msw at a fresh https issuer, with the proxy's private key. */
export async function mockedIdp(): Promise<{ idp: StrictIdp; privateJwk: object }> {
  const keys = await testKeys()
  const idp = createStrictIdp({
    issuer: `https://idp-${++idpCount}.example.test`,
    clientId: CLIENT_ID,
    jwks: async () => keys.publicJwks,
    issParameter: true,
  })
  startMsw().use(...idp.handlers)
  return { idp, privateJwk: keys.privateJwk }
}

export type Listener = (req: IncomingMessage, res: ServerResponse) => void

export interface TestServer {
  origin: string
  setListener(listener: Listener): void
  close(): Promise<void>
}

export async function listen(): Promise<TestServer> {
  let current: Listener = (_req, res) => {
    res.statusCode = 503
    res.end()
  }
  const server = createServer((req, res) => current(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    setListener(listener) {
      current = listener
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export interface ProxySetup {
  proxy: IdpProxy
  idp: StrictIdp
  store: FlowStore
}

/** A proxy at `baseUrl` against a fresh mocked IdP. */
export async function testProxy(
  baseUrl: string,
  overrides: Partial<ProxyOptions> = {},
): Promise<ProxySetup> {
  const { idp, privateJwk } = await mockedIdp()
  const store = overrides.store ?? createMemoryStore()
  const proxy = createProxy({
    baseUrl,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [COGNITO_REDIRECT],
    idp: { issuer: idp.issuer },
    keys: staticKeySource(privateJwk),
    store,
    allowInsecureHttp: true,
    logger: silentLogger,
    ...overrides,
  })
  await proxy.ready()
  return { proxy, idp, store }
}
