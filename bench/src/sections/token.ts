/**
 * Figure 2, POST /token: Cognito's token request through the standalone server's handler (PKCE
 * off: no store; explicit IdP endpoints: no discovery; the stub's signed id_token verified) to an
 * IdP stub on loopback, against the same form POSTed to the stub directly. One caller, one
 * kept-alive connection, requests back to back; each round times the direct call and every
 * variant in turn, and gives one paired difference per variant: its p50 minus the direct p50 of
 * the same round (what the proxy adds to Cognito's one call, without queueing).
 */
import { startServerChild } from '../child.js'
import {
  GLOBAL_FETCH_VARIANT,
  PASS_THROUGH_VARIANT,
  TOKEN_FORM,
  TOKEN_KEY_TYPES,
} from '../proxy-setup.js'
import { fmt, type Row, type SectionResult, signed } from '../report.js'
import { createPoster, timePosts } from '../sequential-client.js'
import { ratioSummary, summarize } from '../stats.js'

const SECTION = '/token'
const TARGETS: Record<string, number> = { 'RS256-2048': 1.0, ES256: 0.6 }
// Every signing algorithm (issue 13: the token route's p50 with each), the global fetch, the hop.
// Then the floors: a bare pass-through to the IdP (any proxy's hop and IdP exchange) and /health.
const VARIANTS: readonly string[] = [
  ...TOKEN_KEY_TYPES,
  GLOBAL_FETCH_VARIANT,
  PASS_THROUGH_VARIANT,
  'health',
]

export async function tokenSection(options: {
  roundMs: number
  rounds: number
  warmupMs: number
}): Promise<SectionResult> {
  const child = await startServerChild({ mode: 'token' })
  const poster = createPoster()
  try {
    const { ports } = child.ready
    const direct = { port: ports.stub as number, path: '/token', body: TOKEN_FORM }
    const target = (name: string) =>
      name === 'health'
        ? { port: ports['RS256-2048'] as number, path: '/health' }
        : { port: ports[name] as number, path: '/token', body: TOKEN_FORM }
    // Warm every path before measuring any, then interleave round by round.
    await timePosts(poster, direct, options.warmupMs)
    for (const name of VARIANTS) await timePosts(poster, target(name), options.warmupMs)
    const added: Record<string, number[]> = {}
    // The server process's CPU per request (every thread: the thread pool's crypto too) over
    // the direct call's: what the proxy costs, which the machine's load moves far less.
    const addedCpu: Record<string, number[]> = {}
    const all: Record<string, number[]> = { direct: [] }
    const timed = async (to: Parameters<typeof timePosts>[1], ms: number) => {
      const before = await child.cpuMicros()
      const samples = await timePosts(poster, to, ms)
      return { samples, cpu: ((await child.cpuMicros()) - before) / samples.length }
    }
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()
      for (const name of order) {
        const base = await timed(direct, options.roundMs / 2)
        const ours = await timed(target(name), options.roundMs)
        added[name] = [
          ...(added[name] ?? []),
          summarize(ours.samples).p50 - summarize(base.samples).p50,
        ]
        addedCpu[name] = [...(addedCpu[name] ?? []), ours.cpu - base.cpu]
        all[name] = [...(all[name] ?? []), ...ours.samples]
        all.direct = [...(all.direct ?? []), ...base.samples]
      }
    }
    const data: Record<string, unknown> = { figures: {} as Record<string, unknown> }
    const rows: Row[] = []
    const directSummary = summarize(all.direct ?? [])
    for (const name of VARIANTS) {
      const figure = ratioSummary(added[name] ?? [])
      const latency = summarize(all[name] ?? [])
      const goal = TARGETS[name]
      const figures = data.figures as Record<string, unknown>
      const cpu = ratioSummary(addedCpu[name] ?? [])
      figures[name] = {
        addedP50Ms: figure,
        addedCpuMicros: cpu,
        ...(goal === undefined ? {} : { targetMs: goal }),
        latencyMs: latency,
        directMs: directSummary,
      }
      rows.push({
        section: SECTION,
        measure:
          name === 'health'
            ? 'floor: GET /health through the same server (the hop, no crypto, no IdP)'
            : name === PASS_THROUGH_VARIANT
              ? 'floor: a bare node:http pass-through to the IdP (hop + IdP exchange, no crypto)'
              : `${name} added p50 (ms)${name === 'RS256-2048' ? ', standalone server, keepAliveFetch' : ''}`,
        ours: `${fmt(latency.p50, 3)} / ${fmt(latency.p99, 3)} p50 / p99`,
        baseline: `${fmt(directSummary.p50, 3)} / ${fmt(directSummary.p99, 3)} direct`,
        compare: `${signed(figure.median, 3)} (${fmt(figure.min, 3)}-${fmt(figure.max, 3)}, n ${figure.n}); CPU +${fmt(cpu.median, 0)} µs`,
        ...(goal === undefined ? {} : { target: `<= +${fmt(goal, 1)} ms` }),
        status: goal === undefined ? 'info' : figure.median <= goal ? 'met' : 'missed',
      })
    }
    return { rows, data }
  } finally {
    poster.close()
    await child.stop()
  }
}
