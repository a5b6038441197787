/**
 * `pnpm start` as a person runs it, stopped as a person stops it: Ctrl-C sends SIGINT to the
 * terminal's whole process group (both pnpm processes, their shells and node). It must exit
 * quietly: status 0, no stack trace, no pnpm ELIFECYCLE report.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
// A bound, not a timing: a start that never becomes ready must not hang the suite.
const GIVE_UP_MS = 60_000

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

interface Stopped {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs `pnpm start` in its own process group and sends `signal` to the group once it is ready. */
async function startThenSignal(signal: NodeJS.Signals): Promise<Stopped> {
  const [standin, proxy, idp] = [await freePort(), await freePort(), await freePort()]
  // Not the test runner's pnpm variables: the child is a fresh `pnpm start` from the root.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('npm_') && name !== 'INIT_CWD'),
  )
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
        process.kill(-group, signal)
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
  assertQuiet(await startThenSignal('SIGINT'))
})

test('SIGTERM to the process group stops it the same way', async () => {
  assertQuiet(await startThenSignal('SIGTERM'))
})

test.run()
