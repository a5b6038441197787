/**
 * `pnpm bench`: every benchmark section in one run, one table on stdout, raw numbers in
 * bench/results/latest.json. `--only=authorize,token` runs some sections; `--quick` shortens
 * every measurement (for checking the harness, not for figures).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from './adapters.js'
import { type Row, renderTable, type SectionResult } from './report.js'
import { authorizeSection } from './sections/authorize.js'
import { coldSignInSection } from './sections/cold-signin.js'
import { signingSection } from './sections/signing.js'
import { steadyStateSection } from './sections/steady-state.js'
import { storesSection } from './sections/stores.js'
import { tokenSection } from './sections/token.js'

// The AWS SDK warns that its 2027 releases need Node 22: true, and no part of any figure. Set here
// so that every child (servers, Lambda bundles) inherits it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const only = args
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
const scale = quick ? 0.25 : 1
if (args.includes('--profile')) {
  // Server children write V8 CPU profiles here; summarise one with src/profile-top.ts.
  const dir = join(REPO_ROOT, 'bench', 'results', 'profiles')
  mkdirSync(dir, { recursive: true })
  process.env.BENCH_PROFILE_DIR = dir
}

const SECTIONS: Record<string, () => Promise<SectionResult>> = {
  authorize: () =>
    authorizeSection({ roundSeconds: 2 * scale, rounds: 5, warmupSeconds: 1, connections: 10 }),
  token: () => tokenSection({ roundMs: 1000 * scale, rounds: 3, warmupMs: 300 }),
  'cold-signin': () => coldSignInSection({ rounds: quick ? 1 : 7 }),
  'token-vs-seed': () =>
    steadyStateSection([
      { label: 'loopback', secretsManagerDelayMs: 0, oneWayMs: 0, calls: Math.round(200 * scale) },
      {
        label: 'SM 10 ms, IdP RTT 10 ms',
        secretsManagerDelayMs: 10,
        oneWayMs: 5,
        calls: Math.round(60 * scale),
      },
    ]),
  signing: () => signingSection({ durationMs: 1000 * scale }),
  stores: () => storesSection({ durationMs: 1500 * scale }),
}

async function main(): Promise<void> {
  const started = Date.now()
  // The 1-minute load average before and after: how busy the machine was (other work included).
  const loadBefore = loadavg()[0] as number
  const rows: Row[] = []
  const results: Record<string, unknown> = {}
  for (const [name, run] of Object.entries(SECTIONS)) {
    if (only && !only.includes(name)) continue
    const sectionStart = Date.now()
    process.stderr.write(`bench: ${name}...\n`)
    try {
      const result = await run()
      rows.push(...result.rows)
      results[name] = { ...result.data, seconds: (Date.now() - sectionStart) / 1000 }
    } catch (error) {
      // One broken section must not hide the others' figures.
      rows.push({
        section: name,
        measure: '(whole section)',
        ours: `failed: ${(error as Error).message}`,
        status: 'skipped',
      })
      results[name] = { error: String((error as Error).stack ?? error) }
    }
  }
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
    quick,
    seconds: (Date.now() - started) / 1000,
    loadAverage: { before: loadBefore, after: loadavg()[0] as number },
  }
  process.stdout.write(`${renderTable(rows)}\n\n`)
  process.stdout.write(
    `node ${machine.node}, ${machine.cpus} cores (${machine.cpuModel}), ${machine.seconds.toFixed(0)} s, ` +
      `load average ${machine.loadAverage.before.toFixed(2)} before, ${machine.loadAverage.after.toFixed(2)} after\n`,
  )
  const dir = join(REPO_ROOT, 'bench', 'results')
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'latest.json'),
    `${JSON.stringify({ machine, rows, results }, null, 2)}\n`,
  )
}

await main()
