/**
 * GET /authorize throughput: the standalone server's handler (node:http, no Express; figure 3)
 * and `proxyRouter` mounted in Express (figure 4), each against a bare Express route answering
 * the same 302. All three servers live in one child process; each round loads all three in turn
 * (order reversed every other round), and each round gives one ratio per figure: pairs taken
 * seconds apart, so machine noise falls on both sides.
 */
import { startServerChild } from '../child.js'
import { expectStatus, type LoadResult, runLoad } from '../load.js'
import { AUTHORIZE_PATH } from '../proxy-setup.js'
import { fmt, type SectionResult, signed } from '../report.js'
import { ratioSummary, summarize } from '../stats.js'

const SECTION = '/authorize'
const TARGETS = { standalone: 1.0, router: 0.5 }

export async function authorizeSection(options: {
  roundSeconds: number
  rounds: number
  warmupSeconds: number
  connections: number
}): Promise<SectionResult> {
  const child = await startServerChild({ mode: 'authorize' })
  try {
    const { ports } = child.ready
    const names = ['standalone', 'proxy', 'bare'] as const
    type Name = (typeof names)[number]
    const runs: Record<Name, LoadResult[]> = { standalone: [], proxy: [], bare: [] }
    // The server process's CPU per request in each run: the cost itself, robust to machine load.
    const cpu: Record<Name, number[]> = { standalone: [], proxy: [], bare: [] }
    const load = (name: Name, durationSeconds: number) =>
      runLoad({
        url: `http://127.0.0.1:${ports[name]}${AUTHORIZE_PATH}`,
        connections: options.connections,
        durationSeconds,
      })

    for (const name of names) {
      expectStatus(await load(name, options.warmupSeconds), 302, `${name} warm-up`)
    }
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? names : [...names].reverse()
      for (const name of order) {
        const before = await child.cpuMicros()
        const result = await load(name, options.roundSeconds)
        cpu[name].push(((await child.cpuMicros()) - before) / result.requests)
        expectStatus(result, 302, name)
        runs[name].push(result)
      }
    }

    const rps = (run: LoadResult) => run.requests / run.seconds
    const total = (name: Name) => ({
      rps:
        runs[name].reduce((s, r) => s + r.requests, 0) /
        runs[name].reduce((s, r) => s + r.seconds, 0),
      latency: summarize(runs[name].flatMap((run) => run.latenciesMs)),
    })
    const pairRatios = (name: Name) =>
      runs[name].map((run, i) => rps(run) / rps(runs.bare[i] as LoadResult))
    const standalone = ratioSummary(pairRatios('standalone'))
    const router = ratioSummary(pairRatios('proxy'))
    const t = { standalone: total('standalone'), proxy: total('proxy'), bare: total('bare') }
    // Bare CPU ÷ ours per pair: the throughput ratio one saturated core would give.
    const cpuRatios = (name: Name) => cpu[name].map((us, i) => (cpu.bare[i] as number) / us)
    const cpuStandalone = ratioSummary(cpuRatios('standalone'))
    const cpuRouter = ratioSummary(cpuRatios('proxy'))
    const cpuMedian = (name: Name) => ratioSummary(cpu[name]).median
    const spread = (r: typeof standalone) => `${fmt(r.min)}-${fmt(r.max)}, n ${r.n}`
    return {
      data: {
        connections: options.connections,
        figures: {
          standaloneVsBareExpress: { ...standalone, target: TARGETS.standalone },
          proxyRouterVsBareExpress: { ...router, target: TARGETS.router },
        },
        cpuMicrosPerRequest: {
          standalone: ratioSummary(cpu.standalone),
          proxyRouter: ratioSummary(cpu.proxy),
          bareExpress: ratioSummary(cpu.bare),
        },
        cpuRatios: { standalone: cpuStandalone, proxyRouter: cpuRouter },
        requestsPerSecond: {
          standalone: t.standalone.rps,
          proxyRouter: t.proxy.rps,
          bareExpress: t.bare.rps,
        },
        latencyMs: {
          standalone: t.standalone.latency,
          proxyRouter: t.proxy.latency,
          bareExpress: t.bare.latency,
        },
      },
      rows: [
        {
          section: SECTION,
          measure: `req/s, standalone server (node:http), ${options.connections} conns`,
          ours: fmt(t.standalone.rps, 0),
          baseline: `${fmt(t.bare.rps, 0)} bare Express`,
          compare: `${fmt(standalone.median)}x (${spread(standalone)})`,
          target: `>= ${fmt(TARGETS.standalone, 1)}x`,
          status: standalone.median >= TARGETS.standalone ? 'met' : 'missed',
        },
        {
          section: SECTION,
          measure: 'req/s, proxyRouter in Express',
          ours: fmt(t.proxy.rps, 0),
          baseline: `${fmt(t.bare.rps, 0)} bare Express`,
          compare: `${fmt(router.median)}x (${spread(router)})`,
          target: `>= ${fmt(TARGETS.router, 1)}x`,
          status: router.median >= TARGETS.router ? 'met' : 'missed',
        },
        {
          section: SECTION,
          measure: 'server CPU per request (µs): standalone / proxyRouter',
          ours: `${fmt(cpuMedian('standalone'), 1)} / ${fmt(cpuMedian('proxy'), 1)}`,
          baseline: `${fmt(cpuMedian('bare'), 1)} bare Express`,
          compare: `${fmt(cpuStandalone.median)}x / ${fmt(cpuRouter.median)}x as throughput`,
          status: 'info',
        },
        {
          section: SECTION,
          measure: 'latency p50 (ms): standalone / proxyRouter',
          ours: `${fmt(t.standalone.latency.p50)} / ${fmt(t.proxy.latency.p50)}`,
          baseline: `${fmt(t.bare.latency.p50)} bare Express`,
          compare: `${signed(t.standalone.latency.p50 - t.bare.latency.p50)} / ${signed(t.proxy.latency.p50 - t.bare.latency.p50)}`,
          status: 'info',
        },
      ],
    }
  } finally {
    await child.stop()
  }
}
