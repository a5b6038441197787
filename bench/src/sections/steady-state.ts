/**
 * The token path in steady state against the seed's pattern (secret read from Secrets Manager
 * and a new TLS connection to the IdP on every call), both through the same stubs: once on bare
 * loopback (CPU cost only) and once with modelled service latency and network round trips.
 */
import { runChildOnce } from '../child.js'
import { fmt, type Row, type SectionResult, skipped } from '../report.js'
import type { SteadyStateRequest, SteadyStateResult } from '../steady-state-child.js'
import { makeCertificate } from '../stubs/tls-cert.js'

const SECTION = 'token vs seed'

export interface SteadyStateVariant {
  label: string
  secretsManagerDelayMs: number
  oneWayMs: number
  calls: number
}

export async function steadyStateSection(
  variants: readonly SteadyStateVariant[],
): Promise<SectionResult> {
  const tls = makeCertificate()
  if (typeof tls === 'string') return { rows: [skipped(SECTION, 'steady state', tls)], data: {} }
  const rows: Row[] = []
  const data: Record<string, unknown> = {}
  try {
    for (const variant of variants) {
      const request: SteadyStateRequest = {
        secretsManagerDelayMs: variant.secretsManagerDelayMs,
        oneWayMs: variant.oneWayMs,
        calls: variant.calls,
        warmup: Math.max(3, Math.round(variant.calls / 10)),
        keyPem: tls.key,
        certPath: tls.certPath,
      }
      const result = await runChildOnce<SteadyStateResult>('steady-state-child.ts', request, {
        NODE_EXTRA_CA_CERTS: tls.certPath,
      })
      data[variant.label] = { ...variant, ...result }
      const { ours, seed } = result
      rows.push({
        section: SECTION,
        measure: `${variant.label}: p50 / p99 (ms), RS256-4096`,
        ours: `${fmt(ours.p50)} / ${fmt(ours.p99)}`,
        baseline: `${fmt(seed.p50)} / ${fmt(seed.p99)} seed pattern`,
        compare: `${fmt(ours.p50 / seed.p50)}x p50; ${fmt(seed.p50 - ours.p50)} ms saved`,
        status: 'info',
      })
    }
    const first = Object.values(data)[0] as SteadyStateResult | undefined
    if (first) {
      rows.push({
        section: SECTION,
        measure: 'Secrets Manager reads (loopback run)',
        ours: `${first.secretsManagerCalls.ours} in ${first.secretsManagerCalls.oursCalls} calls (${first.oursVia})`,
        baseline: `${first.secretsManagerCalls.seed} in ${first.secretsManagerCalls.seedCalls} calls, seed`,
        status: 'info',
      })
      const { ours, seed } = first.idp
      rows.push({
        section: SECTION,
        measure: 'IdP: TLS connections / discovery fetches',
        ours: `${ours.connections} / ${ours.discovery} in ${ours.token} token calls`,
        baseline: `${seed.connections} / ${seed.discovery} in ${seed.token} calls, seed`,
        status: 'info',
      })
    }
    return { rows, data }
  } finally {
    tls.remove()
  }
}
