/**
 * Signing throughput: complete client assertions per second on one core (core's importSigner +
 * signClientAssertion, the code the token route runs), one key type at a time.
 */
import { importSigner, signClientAssertion } from '@idp-proxy/core'
import { generatePrivateJwk, KEY_TYPES } from '../keys.js'
import { fmt, type Row, type SectionResult } from '../report.js'
import { elapsedMs, timeLoop } from '../stats.js'

const SECTION = 'signing'

export async function signingSection(options: { durationMs: number }): Promise<SectionResult> {
  const rows: Row[] = []
  const data: Record<string, unknown> = {}
  for (const type of KEY_TYPES) {
    const jwk = await generatePrivateJwk(type)
    const importStart = process.hrtime.bigint()
    const signer = await importSigner(jwk)
    const importMs = elapsedMs(importStart)
    const claims = () => ({
      clientId: 'bench-client',
      audience: 'https://idp.example/token',
      lifetimeSeconds: 60,
      now: Date.now(),
    })
    // Sequential on purpose: one signature at a time is one core's worth of signing.
    const result = await timeLoop(() => signClientAssertion(signer, claims()), {
      durationMs: options.durationMs,
      warmupMs: 200,
    })
    data[type] = { assertionsPerSecond: result.opsPerSecond, latencyMs: result.latency, importMs }
    rows.push({
      section: SECTION,
      measure: `${type} assertions/s (one core)`,
      ours: `${fmt(result.opsPerSecond, 0)}/s`,
      compare: `${fmt(result.latency.p50, 3)} ms each; key import ${fmt(importMs, 1)} ms once`,
      status: 'info',
    })
  }
  return { rows, data }
}
