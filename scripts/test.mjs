#!/usr/bin/env node
// Runs every workspace package's tests, one package at a time, and closes with one line:
// "N passed, N failed". Each package's `test` script runs uvu (one or more processes); we sum
// the "Total:"/"Passed:" lines uvu prints. Usage: pnpm test [package-dir ...]
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const all = [
  'packages/core',
  'packages/testing',
  'packages/keys',
  'packages/lambda-adapter',
  'packages/express-adapter',
  'pulumi',
  'dev',
]
const wanted = process.argv.slice(2)
const dirs = (wanted.length ? wanted : all).filter((dir) => {
  const manifest = join(root, dir, 'package.json')
  return existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test
})

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

// uvu colours its summary; strip ANSI before reading numbers.
const plain = (text) => text.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')

function run(dir) {
  return new Promise((resolve) => {
    const child = spawn('pnpm', ['run', '--silent', 'test'], {
      cwd: join(root, dir),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    const tee = (stream) => (chunk) => {
      out += chunk
      stream.write(chunk)
    }
    child.stdout.on('data', tee(process.stdout))
    child.stderr.on('data', tee(process.stderr))
    child.on('close', (code) => resolve({ code, out: plain(out) }))
  })
}

let passed = 0
let failed = 0
const broken = []
for (const dir of dirs) {
  console.log(`\n=== ${dir} ===`)
  const { code, out } = await run(dir)
  const totals = [...out.matchAll(/Total:\s+(\d+)/g)].map((m) => Number(m[1]))
  const passes = [...out.matchAll(/Passed:\s+(\d+)/g)].map((m) => Number(m[1]))
  const total = totals.reduce((a, b) => a + b, 0)
  const pass = passes.reduce((a, b) => a + b, 0)
  passed += pass
  failed += total - pass
  // A package that exits non-zero without uvu counting a failure (crash, import error) counts once.
  if (code !== 0 && total === pass) {
    failed += 1
    broken.push(dir)
  }
}
if (broken.length) console.log(`\nfailed to run: ${broken.join(', ')}`)
console.log(`\n${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)
