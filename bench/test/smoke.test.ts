/**
 * The harness runs end to end (`--quick`: one short round per figure, ~15 s) and writes
 * well-formed JSON. Asserts the shape only, never a figure: benchmarks are not tests.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

test('pnpm bench --quick writes the four figures as JSON, each with median, spread and n', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'))
  try {
    const out = join(dir, 'out.json')
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', 'src/run.ts', '--quick', `--out=${out}`],
        { timeout: 120_000 },
        (error) => (error ? reject(error) : resolve()),
      )
    })
    const { figures, rows, machine } = JSON.parse(readFileSync(out, 'utf8'))
    assert.is(machine.quick, true)
    assert.ok(Array.isArray(rows) && rows.length > 0)
    const figure = (value: unknown, name: string) => {
      // A section whose prerequisite is missing (no Python with boto3, no Lambda bundle) is
      // reported as skipped, with no figure.
      if (value === undefined) return
      const { median, min, max, n } = value as {
        median: number
        min: number
        max: number
        n: number
      }
      for (const number of [median, min, max]) assert.ok(Number.isFinite(number), name)
      assert.ok(min <= median && median <= max, name)
      assert.ok(Number.isInteger(n) && n >= 1, name)
    }
    figure(figures.coldSignInRatio, 'cold sign-in')
    figure(figures.tokenAddedP50Ms['RS256-2048'], '/token RS256-2048')
    figure(figures.tokenAddedP50Ms.ES256, '/token ES256')
    assert.ok(figures.authorizeStandaloneRatio, 'the /authorize figures are always measured')
    figure(figures.authorizeStandaloneRatio, '/authorize standalone')
    figure(figures.authorizeProxyRouterRatio, '/authorize proxyRouter')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
