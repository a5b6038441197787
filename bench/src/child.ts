/** Starts server-child.ts in its own process and waits for its ports. */
import { fork } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChildReady, ChildRequest } from './server-child.js'

const HERE = dirname(fileURLToPath(import.meta.url))

/** `pnpm bench --profile` sets this: every child writes a V8 CPU profile there on exit. */
function execArgv(): string[] {
  const dir = process.env.BENCH_PROFILE_DIR
  return [
    '--conditions=source',
    '--import',
    'tsx',
    ...(dir ? ['--cpu-prof', '--cpu-prof-dir', dir] : []),
  ]
}

export interface RunningChild {
  ready: ChildReady
  /** The child's CPU time so far (user + system), in µs: CPU per request, whatever the load. */
  cpuMicros(): Promise<number>
  stop(): Promise<void>
}

export function startServerChild(request: ChildRequest): Promise<RunningChild> {
  const child = fork(join(HERE, 'server-child.ts'), [JSON.stringify(request)], {
    execArgv: execArgv(),
    // The proxy's JSON request log goes to /dev/null: written as in production, not read.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
  return new Promise((resolve, reject) => {
    const cpuMicros = () =>
      new Promise<number>((answer) => {
        child.once('message', (usage) => {
          const { user, system } = usage as NodeJS.CpuUsage
          answer(user + system)
        })
        child.send('cpu')
      })
    child.once('message', (ready) => resolve({ ready: ready as ChildReady, cpuMicros, stop }))
    child.once('exit', (code) =>
      reject(new Error(`server child exited (${code}) before it was ready`)),
    )
    child.once('error', reject)
  })
}

/** Runs `script` (in this folder) once in a fresh process and resolves with its one message. */
export function runChildOnce<T>(
  script: string,
  request: unknown,
  env: Record<string, string> = {},
): Promise<T> {
  const child = fork(join(HERE, script), [JSON.stringify(request)], {
    execArgv: execArgv(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    let answered = false
    child.once('message', (message) => {
      answered = true
      resolve(message as T)
    })
    child.once('exit', (code) => {
      if (!answered) reject(new Error(`${script} exited (${code}) without a result`))
    })
    child.once('error', reject)
  })
}
