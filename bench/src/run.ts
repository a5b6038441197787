/**
 * `pnpm bench`: every benchmark section in one run, one table on stdout, raw numbers in
 * bench/results/latest.json. `--only=authorize,token` runs some sections; `--quick` shortens
 * every measurement (for checking the harness, not for figures).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { REPO_ROOT } from './adapters.js'
import { type Row, renderTable, type SectionResult } from './report.js'
import { authorizeSection } from './sections/authorize.js'
import { coldSignInSection } from './sections/cold-signin.js'
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
if (args.includes('--profile')) {
  // Server children write V8 CPU profiles here; summarise one with src/profile-top.ts.
  const dir = join(REPO_ROOT, 'bench', 'results', 'profiles')
  mkdirSync(dir, { recursive: true })
  process.env.BENCH_PROFILE_DIR = dir
}

const out = args.find((arg) => arg.startsWith('--out='))?.slice('--out='.length)

// --quick: one short round each, to check the harness (seconds), not to take figures.
const SECTIONS: Record<string, () => Promise<SectionResult>> = {
  'cold-signin': () => coldSignInSection({ rounds: quick ? 1 : 9 }),
  token: () =>
    tokenSection({ roundMs: quick ? 100 : 800, rounds: quick ? 1 : 7, warmupMs: quick ? 50 : 300 }),
  authorize: () =>
    authorizeSection({
      roundSeconds: quick ? 0.2 : 2,
      rounds: quick ? 1 : 7,
      warmupSeconds: quick ? 0.2 : 1,
      connections: 10,
    }),
}

/** The four figures of issue 15, each with its median, spread (min, max) and n, from `results`. */
function figuresOf(results: Record<string, unknown>): Record<string, unknown> {
  const pick = (section: string, ...path: string[]): unknown =>
    path.reduce<unknown>(
      (value, key) => (value as Record<string, unknown> | undefined)?.[key],
      results[section],
    )
  return {
    coldSignInRatio: pick('cold-signin', 'figure'),
    tokenAddedP50Ms: {
      'RS256-2048': pick('token', 'figures', 'RS256-2048', 'addedP50Ms'),
      ES256: pick('token', 'figures', 'ES256', 'addedP50Ms'),
    },
    authorizeStandaloneRatio: pick('authorize', 'figures', 'standaloneVsBareExpress'),
    authorizeProxyRouterRatio: pick('authorize', 'figures', 'proxyRouterVsBareExpress'),
  }
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
  const file = out ?? join(REPO_ROOT, 'bench', 'results', 'latest.json')
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(
    file,
    `${JSON.stringify({ machine, figures: figuresOf(results), rows, results }, null, 2)}\n`,
  )
}

await main()
