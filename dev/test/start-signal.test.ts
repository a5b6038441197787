/**
 * `pnpm start` as a person runs it, stopped as a person stops it: Ctrl-C sends SIGINT to the
 * terminal's whole process group (both pnpm processes, their shells and node). It must exit
 * quietly: status 0, no stack trace, no pnpm ELIFECYCLE report. It runs on the workspace's Node
 * (the root devDependency), whose `node_modules/.bin/node` is a shell shim that must not stand
 * between pnpm and the process (see stopOnSignals in dev/src/start.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { type AddressInfo, createServer, type Server } from 'node:net'
import { delimiter } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
// A bound, not a timing: a start that never becomes ready must not hang the suite.
const GIVE_UP_MS = 60_000
// The Node the workspace installs (root devDependency `node`), which `pnpm start` must run on.
const WORKSPACE_NODE = JSON.parse(
  readFileSync(new URL('../../node_modules/node/package.json', import.meta.url), 'utf8'),
).version as string

/** `count` distinct free loopback ports: all held open at once, so none is handed out twice. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer()
          server.once('error', reject)
          server.listen(0, '127.0.0.1', () => resolve(server))
        }),
    ),
  )
  const ports = servers.map((server) => (server.address() as AddressInfo).port)
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))))
  return ports
}

interface Stopped {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Runs `pnpm start` in its own process group and, once it is ready, sends `signal` to the whole
 * group (as a terminal's Ctrl-C does) or to the outer pnpm only (as `kill <pid>` does).
 */
async function startThenSignal(signal: NodeJS.Signals, to: 'group' | 'pnpm'): Promise<Stopped> {
  const [standin, proxy, idp] = await freePorts(3)
  // Not the test runner's pnpm variables: the child is a fresh `pnpm start` from the root, run
  // from a person's shell, whose PATH has none of the node_modules/.bin folders pnpm gives the
  // test scripts (there `pnpm` itself would run under the shell shim of the workspace's Node).
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('npm_') && name !== 'INIT_CWD'),
  )
  env.PATH = (env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !/[\\/]node_modules[\\/]\.bin[\\/]?$/.test(dir))
    .join(delimiter)
  const child: ChildProcess = spawn('pnpm', ['start'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env,
      STANDIN_PORT: String(standin),
      PROXY_PORT: String(proxy),
      IDP_PORT: String(idp),
      LOG_LEVEL: 'warn',
    },
  })
  const group = child.pid as number
  let stdout = ''
  let stderr = ''
  let sent = false
  return new Promise((resolve, reject) => {
    const giveUp = setTimeout(() => {
      process.kill(-group, 'SIGKILL')
      reject(new Error(`pnpm start did not get ready or did not stop:\n${stdout}\n${stderr}`))
    }, GIVE_UP_MS)
    child.stdout?.on('data', (chunk) => {
      stdout += chunk
      if (!sent && stdout.includes('Ctrl-C stops all three')) {
        sent = true
        process.kill(to === 'group' ? -group : group, signal)
      }
    })
    child.stderr?.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code, exitSignal) => {
      clearTimeout(giveUp)
      if (!sent) reject(new Error(`pnpm start exited before it was ready:\n${stdout}\n${stderr}`))
      else resolve({ code, signal: exitSignal, stdout, stderr })
    })
  })
}

function assertQuiet(stopped: Stopped): void {
  const all = `${stopped.stdout}\n${stopped.stderr}`
  assert.is(stopped.signal, null, 'pnpm exits by itself, not killed by the signal')
  assert.is(stopped.code, 0, all)
  assert.not.match(all, /\n\s+at .+:\d+:\d+/, 'no stack trace')
  assert.not.match(all, /ELIFECYCLE|ERR_PNPM/, 'no pnpm failure report')
  assert.match(stopped.stdout, 'stopping the local run')
}

test('Ctrl-C (SIGINT to the process group) stops pnpm start quietly with status 0', async () => {
  const stopped = await startThenSignal('SIGINT', 'group')
  assertQuiet(stopped)
  assert.match(stopped.stdout, new RegExp(`Node +v${WORKSPACE_NODE.replaceAll('.', '\\.')}\\n`))
})

test('kill <pid of pnpm start> (SIGTERM, passed down by pnpm) stops it the same way', async () => {
  assertQuiet(await startThenSignal('SIGTERM', 'pnpm'))
})

test.run()
