/**
 * Memory under hostile input (issue 12), two figures for BENCHMARKS.md:
 *
 * 1. The proxy's peak memory while a hostile IdP answers its token requests with 50 MB (with a
 *    length), 50 MB chunked, and a gzip bomb (1 GB inflated from ~1 MB). Each scenario runs in a
 *    fresh child process (peak RSS is per process), against the hostile IdP in this process, so
 *    the IdP's own memory is not counted. Reported: RSS and heap when idle (after a warm-up and a
 *    GC) and their peaks during 20 requests (10 at a time).
 * 2. The memory store's size after 100 000 /authorize requests with a maximal `state`
 *    (maxStateBytes, 2 048 bytes): heap after a GC, before and after.
 *
 * Run: `pnpm --filter @idp-proxy/bench hostile-memory`
 * (`-- --json` for JSON). Not part of `pnpm bench` or `pnpm test`; no figure is asserted.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createMemoryStore, createProxy, silentLogger, staticKeySource } from '@idp-proxy/core'
import { type HostileAnswer, startHostileIdp } from '@idp-proxy/testing'
import { generatePrivateJwk } from './keys.js'
import { CLIENT_ID, CLIENT_SECRET, PROXY_ORIGIN, REDIRECT_URI, TOKEN_FORM } from './proxy-setup.js'

const MB = 1024 * 1024
const REQUESTS = 20
const CONCURRENCY = 10

const SCENARIOS: Record<string, HostileAnswer | undefined> = {
  'well-behaved IdP (a 400 JSON error)': undefined,
  '50 MB with Content-Length': { kind: 'large', bytes: 50 * MB },
  '50 MB chunked, no length': { kind: 'chunked', bytes: 50 * MB },
  'gzip bomb, 1 GB inflated': { kind: 'gzip-bomb', bytes: 1024 * MB },
}

interface ChildReport {
  idleRssMb: number
  idleHeapMb: number
  peakRssMb: number
  peakHeapMb: number
  statuses: Record<string, number>
}

const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc
  if (!collect) throw new Error('run with node --expose-gc')
  collect()
  collect()
}

/** Child: a proxy whose IdP is the hostile one at `issuer`; answers one ChildReport. */
async function child(issuer: string): Promise<ChildReport> {
  const proxy = createProxy({
    baseUrl: PROXY_ORIGIN,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [REDIRECT_URI],
    idp: { issuer },
    keys: staticKeySource(await generatePrivateJwk('ES256')),
    pkce: false,
    allowInsecureHttp: true,
    logger: silentLogger,
  })
  const tokenRequest = () =>
    proxy.handle(
      new Request(`${PROXY_ORIGIN}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: TOKEN_FORM,
      }),
    )
  // Warm-up against the well-behaved answer (the parent switches after `idle`).
  for (let i = 0; i < 5; i++) await (await tokenRequest()).arrayBuffer()
  gc()
  const idle = process.memoryUsage()
  send({ idle: true })
  await new Promise<void>((resolve) => process.once('message', () => resolve()))

  let peakRss = idle.rss
  let peakHeap = idle.heapUsed
  const sample = () => {
    const now = process.memoryUsage()
    peakRss = Math.max(peakRss, now.rss)
    peakHeap = Math.max(peakHeap, now.heapUsed)
  }
  const sampler = setInterval(sample, 1)
  const statuses: Record<string, number> = {}
  let next = 0
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) {
        const response = await tokenRequest()
        await response.arrayBuffer()
        sample()
        statuses[response.status] = (statuses[response.status] ?? 0) + 1
      }
    }),
  )
  clearInterval(sampler)
  // The kernel's peak, which also sees what a 1 ms sampler could miss between two samples.
  peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024)
  return {
    idleRssMb: mb(idle.rss),
    idleHeapMb: mb(idle.heapUsed),
    peakRssMb: mb(peakRss),
    peakHeapMb: mb(peakHeap),
    statuses,
  }
}

function send(message: unknown): void {
  process.send?.(message)
}

async function memoryStoreFlood(): Promise<{
  requests: number
  heapBeforeMb: number
  heapAfterMb: number
  bytesPerHeldFlow: number
  held: number
}> {
  const store = createMemoryStore()
  const proxy = createProxy({
    baseUrl: PROXY_ORIGIN,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [REDIRECT_URI],
    idp: {
      issuer: 'https://idp.example.com',
      authorizationEndpoint: 'https://idp.example.com/authorize',
      tokenEndpoint: 'https://idp.example.com/token',
    },
    keys: staticKeySource(await generatePrivateJwk('ES256')),
    store,
    logger: silentLogger,
  })
  const query = new URLSearchParams({
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid email profile',
  })
  const requests = 100_000
  gc()
  const before = process.memoryUsage().heapUsed
  for (let i = 0; i < requests; i++) {
    // A different maximal state each time (2 048 bytes), as a flood would send.
    query.set('state', `${i}`.padEnd(2048, 's'))
    const response = await proxy.handle(new Request(`${PROXY_ORIGIN}/authorize?${query}`))
    if (response.status !== 302) throw new Error(`/authorize answered ${response.status}`)
  }
  gc()
  const after = process.memoryUsage().heapUsed
  // The memory store holds at most maxEntries (10 000 by default) sign-ins in progress.
  const held = Math.min(requests, 10_000)
  return {
    requests,
    heapBeforeMb: mb(before),
    heapAfterMb: mb(after),
    bytesPerHeldFlow: Math.round((after - before) / held),
    held,
  }
}

async function parent(): Promise<void> {
  const idp = await startHostileIdp()
  const rows: (ChildReport & { scenario: string })[] = []
  for (const [scenario, answer] of Object.entries(SCENARIOS)) {
    idp.answer('token', undefined)
    const proc = fork(fileURLToPath(import.meta.url), ['--child', idp.issuer], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
    })
    const report = await new Promise<ChildReport>((resolve, reject) => {
      proc.on('message', (message: { idle?: boolean; report?: ChildReport }) => {
        if (message.idle) {
          idp.answer('token', answer)
          proc.send('go')
        } else if (message.report) resolve(message.report)
      })
      proc.once('exit', (code) => reject(new Error(`child exited ${code}`)))
    })
    proc.kill()
    rows.push({ scenario, ...report })
  }
  await idp.close()
  const flood = await memoryStoreFlood()

  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ rows, flood }, null, 2))
    return
  }
  console.log(
    `node ${process.version}, ${REQUESTS} token requests per scenario, ${CONCURRENCY} at a time\n`,
  )
  console.log(
    '| IdP answer | statuses | idle RSS | peak RSS | peak − idle | idle heap | peak heap |',
  )
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |')
  for (const r of rows) {
    const statuses = Object.entries(r.statuses)
      .map(([status, n]) => `${n}× ${status}`)
      .join(', ')
    console.log(
      `| ${r.scenario} | ${statuses} | ${r.idleRssMb} MB | ${r.peakRssMb} MB | ${mb((r.peakRssMb - r.idleRssMb) * MB)} MB | ${r.idleHeapMb} MB | ${r.peakHeapMb} MB |`,
    )
  }
  console.log(
    `\nmemory store after ${flood.requests} /authorize with a 2 048-byte state: heap ${flood.heapBeforeMb} MB -> ${flood.heapAfterMb} MB (${flood.held} flows held, ~${flood.bytesPerHeldFlow} bytes each)`,
  )
}

if (process.argv[2] === '--child') {
  const report = await child(process.argv[3] as string)
  send({ report })
} else {
  await parent()
}
