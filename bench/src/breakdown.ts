/**
 * Where one request's time goes, in process (no HTTP): the whole proxy.handle for /authorize and
 * /token, and the pieces each calls. Supporting evidence for BENCHMARKS.md, not part of
 * `pnpm bench`. Run: pnpm --filter @idp-proxy/bench breakdown
 */

import { Agent, request } from 'node:http'
import {
  createMemoryStore,
  importSigner,
  jsonLogger,
  signClientAssertion,
  silentLogger,
  storageKey,
  timingSafeEqual,
} from '@idp-proxy/core'
import * as oauth from 'oauth4webapi'
import { generatePrivateJwk } from './keys.js'
import { nodeHttpFetch } from './node-http-fetch.js'
import { AUTHORIZE_PATH, benchProxy, listen, PROXY_ORIGIN, TOKEN_FORM } from './proxy-setup.js'
import { summarize } from './stats.js'
import { idpStub } from './stubs/idp-stub.js'
import { applyWhatIf } from './what-if.js'

const N = Number(process.argv[2] ?? 3000)
const whatIf = applyWhatIf()
if (whatIf.length) process.stdout.write(`what-if: ${whatIf.join(', ')}\n`)

async function time(label: string, operation: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < Math.min(500, N / 4); i++) await operation()
  const samples: number[] = []
  const cpuStart = process.cpuUsage()
  const wallStart = process.hrtime.bigint()
  for (let i = 0; i < N; i++) {
    const start = process.hrtime.bigint()
    await operation()
    samples.push(Number(process.hrtime.bigint() - start) / 1e3)
  }
  const cpu = process.cpuUsage(cpuStart)
  const wall = Number(process.hrtime.bigint() - wallStart) / 1e3
  const { p50, p99 } = summarize(samples)
  const cpuPer = (cpu.user + cpu.system) / N
  process.stdout.write(
    `${label.padEnd(52)} p50 ${p50.toFixed(1).padStart(7)} µs  p99 ${p99.toFixed(1).padStart(8)} µs  cpu ${cpuPer.toFixed(1).padStart(7)} µs/op  wall ${(wall / N).toFixed(1).padStart(7)} µs/op\n`,
  )
}

const es256 = await generatePrivateJwk('ES256')
const rs2048 = await generatePrivateJwk('RS256-2048')
const devNull = jsonLogger({ write: () => {} })
const authorizeRequest = () => new Request(new URL(AUTHORIZE_PATH, PROXY_ORIGIN))

process.stdout.write(`/authorize, in process (${N} each)\n`)
for (const [label, logger] of [
  ['proxy.handle /authorize (json logger, no output)', devNull],
  ['proxy.handle /authorize (silent logger)', silentLogger],
] as const) {
  const proxy = benchProxy(es256, { logger })
  await time(label, async () => {
    const response = await proxy.handle(authorizeRequest())
    if (response.status !== 302) throw new Error(String(response.status))
  })
}
await time('  new Request(url)', async () => authorizeRequest())
await time('  generateRandomCodeVerifier', async () => oauth.generateRandomCodeVerifier())
await time('  calculatePKCECodeChallenge (subtle.digest)', () =>
  oauth.calculatePKCECodeChallenge('v'.repeat(43)),
)
const store = createMemoryStore()
await time('  memory store save (randomToken + storageKey)', () =>
  store.save(
    {
      kind: 'authorize',
      state: 's'.repeat(600),
      redirectUri: 'https://a.example/cb',
      verifier: 'v'.repeat(43),
    },
    600,
  ),
)
await time('  storageKey (subtle.digest)', () => storageKey('h'.repeat(43)))
await time('  crypto.getRandomValues(32)', async () => crypto.getRandomValues(new Uint8Array(32)))

process.stdout.write('\n/token, in process, IdP stub on loopback\n')
const stub = idpStub()
const port = await listen(stub)
const tokenRequest = () =>
  new Request(`${PROXY_ORIGIN}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: TOKEN_FORM,
  })
await time('fetch to the stub (same form)', async () => {
  const response = await fetch(`http://127.0.0.1:${port}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: TOKEN_FORM,
  })
  await response.arrayBuffer()
})
const agent = new Agent({ keepAlive: true, maxSockets: 1 })
await time('http.request to the stub (keep-alive agent)', () => postWithAgent(agent, port))
const tokenProxy = benchProxy(rs2048, {
  idpOrigin: `http://127.0.0.1:${port}`,
  pkce: false,
  store: undefined,
  logger: silentLogger,
})
await time('proxy.handle /token RS256-2048 (silent logger)', async () => {
  const response = await tokenProxy.handle(tokenRequest())
  if (response.status !== 200) throw new Error(String(response.status))
  await response.arrayBuffer()
})
const es256Proxy = benchProxy(es256, {
  idpOrigin: `http://127.0.0.1:${port}`,
  pkce: false,
  store: undefined,
  logger: silentLogger,
})
await time('proxy.handle /token ES256 (signing ~0.07 ms)', async () => {
  const response = await es256Proxy.handle(tokenRequest())
  await response.arrayBuffer()
})
const nodeFetchProxy = benchProxy(rs2048, {
  idpOrigin: `http://127.0.0.1:${port}`,
  pkce: false,
  store: undefined,
  logger: silentLogger,
  fetch: nodeHttpFetch(),
})
await time('proxy.handle /token RS256-2048, fetch on node:http', async () => {
  const response = await nodeFetchProxy.handle(tokenRequest())
  await response.arrayBuffer()
})
await time('  read the form body (Request stream)', async () => {
  const request = tokenRequest()
  const reader = request.body?.getReader()
  while (reader && !(await reader.read()).done) {}
})
const signer = await importSigner(rs2048)
await time('  signClientAssertion RS256-2048', () =>
  signClientAssertion(signer, {
    clientId: 'c',
    audience: 'https://idp/token',
    lifetimeSeconds: 60,
    now: Date.now(),
  }),
)
// Synchronous since core 3c3ad8f (it hashed both sides with crypto.subtle.digest before).
await time('  timingSafeEqual (synchronous compare)', async () =>
  timingSafeEqual('a'.repeat(30), 'b'.repeat(30)),
)
await time('  Promise.resolve (floor)', async () => undefined)
agent.destroy()
stub.close()

function postWithAgent(agent: Agent, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/token',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(TOKEN_FORM),
        },
      },
      (res) => {
        res.resume()
        res.on('end', resolve)
      },
    )
    req.on('error', reject)
    req.end(TOKEN_FORM)
  })
}
