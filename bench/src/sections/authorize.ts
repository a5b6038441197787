/**
 * GET /authorize through the proxy (Express adapter, memory store) against a bare Express route
 * that answers the same 302. Both servers live in one child process, measured alternately in
 * rounds so that machine noise falls on both.
 */
import { startServerChild } from '../child.js'
import { expectStatus, type LoadResult, runLoad } from '../load.js'
import { AUTHORIZE_PATH } from '../proxy-setup.js'
import { fmt, type SectionResult, signed } from '../report.js'
import { summarize } from '../stats.js'

const SECTION = '/authorize'

export async function authorizeSection(options: {
  roundSeconds: number
  rounds: number
  warmupSeconds: number
  connections: number
}): Promise<SectionResult> {
  const child = await startServerChild({ mode: 'authorize' })
  try {
    const { ports, via } = child.ready
    const names = ['proxy', 'bare', 'bridge', 'bareNode'] as const
    type Name = (typeof names)[number]
    const runs: Record<Name, LoadResult[]> = { proxy: [], bare: [], bridge: [], bareNode: [] }
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
      // Reverse the order every other round, so no target always follows the same one.
      const order = round % 2 === 0 ? names : [...names].reverse()
      for (const name of order) {
        const result = await load(name, options.roundSeconds)
        expectStatus(result, 302, name)
        runs[name].push(result)
      }
    }

    const total = (name: Name) => {
      const requests = runs[name].reduce((sum, run) => sum + run.requests, 0)
      const seconds = runs[name].reduce((sum, run) => sum + run.seconds, 0)
      return {
        rps: requests / seconds,
        requests,
        latency: summarize(runs[name].flatMap((run) => run.latenciesMs)),
      }
    }
    const proxy = total('proxy')
    const bare = total('bare')
    const bridge = total('bridge')
    const bareNode = total('bareNode')
    const ratio = proxy.rps / bare.rps
    // Each round's ratio, from runs taken seconds apart: their spread shows the machine's noise.
    const rps = (run: LoadResult) => run.requests / run.seconds
    const roundRatios = runs.proxy.map((run, i) => rps(run) / rps(runs.bare[i] as LoadResult))
    const coreRatio = bridge.rps / bareNode.rps
    const label = via.replace('express-adapter', 'Express adapter')
    return {
      data: {
        via,
        connections: options.connections,
        proxy,
        bare,
        ratio,
        roundRatios,
        bridge,
        bareNode,
        coreRatio,
      },
      rows: [
        {
          section: SECTION,
          measure: `requests/s (${label}, memory store, ${options.connections} conns)`,
          ours: fmt(proxy.rps, 0),
          baseline: `${fmt(bare.rps, 0)} bare Express`,
          compare: `${fmt(ratio, 2)}x (rounds ${fmt(Math.min(...roundRatios))}-${fmt(Math.max(...roundRatios))})`,
          target: '>= 0.8x',
          status: ratio >= 0.8 ? 'met' : 'missed',
        },
        {
          section: SECTION,
          measure: 'latency p50 / p99 (ms)',
          ours: `${fmt(proxy.latency.p50)} / ${fmt(proxy.latency.p99)}`,
          baseline: `${fmt(bare.latency.p50)} / ${fmt(bare.latency.p99)}`,
          compare: `${signed(proxy.latency.p50 - bare.latency.p50)} / ${signed(proxy.latency.p99 - bare.latency.p99)}`,
          status: 'info',
        },
        {
          section: SECTION,
          measure: 'core without Express: node:http bridge vs bare node:http 302',
          ours: fmt(bridge.rps, 0),
          baseline: `${fmt(bareNode.rps, 0)} bare node:http`,
          compare: `${fmt(coreRatio, 2)}x; p50 ${fmt(bridge.latency.p50)} vs ${fmt(bareNode.latency.p50)} ms`,
          status: 'info',
        },
      ],
    }
  } finally {
    await child.stop()
  }
}
