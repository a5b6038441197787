#!/usr/bin/env node
// Builds the public packages, runs every workspace package's tests, one package at a time, and
// closes with one line: "N passed, N failed". Each package's `test` script runs uvu (one or more
// processes); we sum the "Total:"/"Passed:" lines uvu prints. Usage: pnpm test [package-dir ...]
// A package whose tests pass but which printed an error-level JSON log line or a warning counts
// as one failure, and the lines are listed (scripts/noise.mjs says what counts).
//
// The suites run on the Node that runs this script (`pnpm test` gives the workspace's Node 24,
// the root devDependency). IDP_PROXY_TEST_NODES, a comma-separated list of node executables, runs
// the whole suite once on each instead (CI: Node 22 and 24), and the closing line sums them all.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { noiseLines, withoutEscapes } from './noise.mjs'

const root = new URL('..', import.meta.url).pathname
const all = [
  'packages/core',
  'packages/testing',
  'packages/keys',
  'packages/lambda-adapter',
  'packages/express-adapter',
  'pulumi',
  'dev',
  'packages/install-test',
]
const wanted = process.argv.slice(2)
const suites = (wanted.length ? wanted : all).flatMap((dir) => {
  const manifest = join(root, dir, 'package.json')
  const script = existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test
  return script ? [{ dir, script }] : []
})
const nodes = (process.env.IDP_PROXY_TEST_NODES ?? '')
  .split(',')
  .map((path) => path.trim())
  .filter(Boolean)
if (nodes.length === 0) nodes.push(process.execPath)

// Servers and browsers some suites use, from Debian's packages. Installed when missing and this
// user may install (root or password-less sudo); otherwise those suites fail and say why.
const tools = { 'redis-server': 'redis-server', chromium: 'chromium', openssl: 'openssl' }
const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0
const missing = Object.entries(tools)
  .filter(([command]) => !has(command))
  .map(([, pkg]) => pkg)
if (missing.length && has('apt-get')) {
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n']
  console.log(`installing ${missing.join(', ')} from Debian packages…`)
  const apt = (...args) =>
    spawnSync(
      sudo[0] ?? 'apt-get',
      [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), ...args],
      {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      },
    )
  if (
    apt('update', '-qq').status !== 0 ||
    apt('install', '-y', '-qq', '--no-install-recommends', ...missing).status !== 0
  ) {
    console.log(`could not install ${missing.join(', ')}: the suites that need them will fail`)
  }
}

// The bins and the pack-and-install test run the built output: build it once, first (CI, which
// has just built, says so with IDP_PROXY_BUILT=1).
const build =
  process.env.IDP_PROXY_BUILT === '1'
    ? { status: 0 }
    : spawnSync('pnpm', ['-s', 'build'], { cwd: root, stdio: 'inherit' })
if (build.status !== 0) {
  console.log('\nthe build failed\n0 passed, 1 failed')
  process.exit(1)
}

// What `pnpm run test` would do, except that `node` is the one asked for: pnpm puts
// node_modules/.bin (and its Node 24) first on PATH, so the script runs with that PATH ahead.
function run({ dir, script }, node) {
  return new Promise((resolve) => {
    const cwd = join(root, dir)
    const path = [
      dirname(node),
      join(cwd, 'node_modules', '.bin'),
      join(root, 'node_modules', '.bin'),
      process.env.PATH ?? '',
    ].join(delimiter)
    const child = spawn('sh', ['-c', script], {
      cwd,
      env: { ...process.env, PATH: path, IDP_PROXY_BUILT: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    // Each stream on its own too, so a line is never two streams' chunks interleaved.
    const streams = { stdout: '', stderr: '' }
    const tee = (name) => (chunk) => {
      out += chunk
      streams[name] += chunk
      process[name].write(chunk)
    }
    child.stdout.on('data', tee('stdout'))
    child.stderr.on('data', tee('stderr'))
    child.on('close', (code) =>
      resolve({
        code,
        // uvu colours its summary: no escapes before reading numbers.
        out: withoutEscapes(out),
        noise: [...noiseLines(streams.stdout), ...noiseLines(streams.stderr)],
      }),
    )
  })
}

let passed = 0
let failed = 0
const lines = []
for (const node of nodes) {
  // The real executable (a .bin entry may be a shell shim) and its version.
  const probe = spawnSync(node, ['-p', 'process.execPath + " " + process.version'], {
    encoding: 'utf8',
  })
  const [executable, version] = probe.stdout?.trim().split(' ') ?? []
  if (probe.status !== 0 || !executable || !version) {
    console.log(`\ncannot run ${node}`)
    failed += 1
    continue
  }
  const started = Date.now()
  let nodePassed = 0
  let nodeFailed = 0
  const broken = []
  const noisy = []
  for (const suite of suites) {
    console.log(`\n=== ${suite.dir} (Node ${version}) ===`)
    const { code, out, noise } = await run(suite, executable)
    const totals = [...out.matchAll(/Total:\s+(\d+)/g)].map((m) => Number(m[1]))
    const passes = [...out.matchAll(/Passed:\s+(\d+)/g)].map((m) => Number(m[1]))
    const total = totals.reduce((a, b) => a + b, 0)
    const pass = passes.reduce((a, b) => a + b, 0)
    nodePassed += pass
    nodeFailed += total - pass
    // A package that exits non-zero without uvu counting a failure (crash, import error) counts once.
    if (code !== 0 && total === pass) {
      nodeFailed += 1
      broken.push(suite.dir)
    }
    // A passing suite prints no error-level log line and no warning (scripts/noise.mjs): a test
    // that provokes one captures it and asserts on it. Counts once per suite.
    if (code === 0 && total === pass && noise.length) {
      nodeFailed += 1
      noisy.push(`${suite.dir}:\n${noise.map((line) => `    ${line.slice(0, 300)}`).join('\n')}`)
    }
  }
  if (noisy.length) {
    console.log(`\npassing suites that printed error log lines or warnings (Node ${version}):`)
    for (const entry of noisy) console.log(`  ${entry}`)
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0)
  lines.push(
    `on Node ${version} (${seconds} s): ${nodePassed} passed, ${nodeFailed} failed` +
      (broken.length ? `; failed to run: ${broken.join(', ')}` : '') +
      (noisy.length ? `; noisy: ${noisy.map((entry) => entry.split(':')[0]).join(', ')}` : ''),
  )
  passed += nodePassed
  failed += nodeFailed
}
console.log(`\n${lines.join('\n')}`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)
