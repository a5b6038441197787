/**
 * POST /token through the proxy (PKCE off: no store; explicit IdP endpoints: no discovery) to an
 * IdP stub on loopback, against the same form POSTed to the stub directly. One caller, one
 * kept-alive connection, alternating rounds: the difference is what the proxy adds to Cognito's
 * token call (parse, client check, signing, the forwarded request, the response).
 */
import { startServerChild } from '../child.js'
import { KEY_TYPES } from '../keys.js'
import { NODE_FETCH_VARIANT, TOKEN_FORM } from '../proxy-setup.js'
import { fmt, type Row, type SectionResult, signed } from '../report.js'
import { createPoster, timePosts } from '../sequential-client.js'
import { summarize } from '../stats.js'

const SECTION = '/token'

export async function tokenSection(options: {
  roundMs: number
  rounds: number
  warmupMs: number
}): Promise<SectionResult> {
  const child = await startServerChild({ mode: 'token', types: [...KEY_TYPES] })
  const poster = createPoster()
  try {
    const { ports, via } = child.ready
    const direct = { port: ports.stub as number, path: '/token', body: TOKEN_FORM }
    const rows: Row[] = []
    const data: Record<string, unknown> = { via }
    const variants = [...KEY_TYPES, NODE_FETCH_VARIANT]
    const target = (type: string) => ({
      port: ports[type] as number,
      path: '/token',
      body: TOKEN_FORM,
    })
    const health = { port: ports['RS256-2048'] as number, path: '/health' }
    // Warm every path up before measuring any (the shared code's JIT would otherwise favour
    // whichever variant runs last), then interleave the variants round by round.
    await timePosts(poster, direct, options.warmupMs)
    for (const type of variants) await timePosts(poster, target(type), options.warmupMs)
    await timePosts(poster, health, options.warmupMs)
    const samples: Record<string, { proxy: number[]; direct: number[] }> = {}
    for (let round = 0; round < options.rounds; round++) {
      for (const type of variants) {
        samples[type] ??= { proxy: [], direct: [] }
        samples[type].direct.push(...(await timePosts(poster, direct, options.roundMs)))
        samples[type].proxy.push(...(await timePosts(poster, target(type), options.roundMs)))
      }
    }
    for (const type of variants) {
      const { proxy: proxySamples, direct: directSamples } = samples[type] as {
        proxy: number[]
        direct: number[]
      }
      const proxy = summarize(proxySamples)
      const stub = summarize(directSamples)
      const addedP50 = proxy.p50 - stub.p50
      const addedP99 = proxy.p99 - stub.p99
      data[type] = { proxy, direct: stub, addedP50, addedP99 }
      const gated = type === 'RS256-2048'
      const prototype = type === NODE_FETCH_VARIANT
      rows.push({
        section: SECTION,
        measure: prototype
          ? 'RS256-2048, fetch on node:http (proposed fix, bench prototype)'
          : `${type} p50 / p99 (ms)${type === KEY_TYPES[0] ? `, ${via.replace('express-adapter', 'Express adapter')}` : ''}`,
        ours: `${fmt(proxy.p50, 3)} / ${fmt(proxy.p99, 3)}`,
        baseline: `${fmt(stub.p50, 3)} / ${fmt(stub.p99, 3)} direct`,
        compare: `${signed(addedP50, 3)} / ${signed(addedP99, 3)} added`,
        ...(gated ? { target: '<= +1 ms p50' } : {}),
        status: gated ? (addedP50 <= 1 ? 'met' : 'missed') : 'info',
      })
    }
    // The floor of any proxied call: the extra HTTP hop, Express, the adapter's conversion and
    // core's routing, with no crypto and no IdP call. Splits "added" into hop and token work.
    const floorSamples: number[] = []
    const directSamples: number[] = []
    for (let round = 0; round < options.rounds; round++) {
      directSamples.push(...(await timePosts(poster, direct, options.roundMs / 2)))
      floorSamples.push(...(await timePosts(poster, health, options.roundMs / 2)))
    }
    const floor = summarize(floorSamples)
    const directAgain = summarize(directSamples)
    data.healthFloor = { health: floor, direct: directAgain }
    rows.push({
      section: SECTION,
      measure: 'floor: GET /health through the same server (no crypto, no IdP)',
      ours: `${fmt(floor.p50, 3)} / ${fmt(floor.p99, 3)}`,
      baseline: `${fmt(directAgain.p50, 3)} / ${fmt(directAgain.p99, 3)} direct`,
      compare: `${signed(floor.p50 - directAgain.p50, 3)} / ${signed(floor.p99 - directAgain.p99, 3)} for the hop`,
      status: 'info',
    })
    return { rows, data }
  } finally {
    poster.close()
    await child.stop()
  }
}
