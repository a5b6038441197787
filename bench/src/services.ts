/**
 * Local services the store benchmarks need: a redis-server started on a free port (and stopped
 * after), and dynalite in-process. Each returns undefined with the reason when it cannot run.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

export interface Service {
  url: string
  stop(): Promise<void>
}

export function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
}

/** A free TCP port on 127.0.0.1 (bound and released; a race is possible but unlikely here). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (typeof address !== 'object' || address === null) throw new Error('no port')
  return address.port
}

export async function startRedis(): Promise<Service | string> {
  if (!commandExists('redis-server'))
    return 'redis-server not installed (apt-get install -y redis-server)'
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'))
  const pidfile = join(dir, 'redis.pid')
  const started = spawnSync('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--daemonize',
    'yes',
    '--pidfile',
    pidfile,
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ])
  if (started.status !== 0)
    return `redis-server failed to start: ${started.stderr.toString().trim()}`
  // The pid file appears once the daemon is up.
  let pid: number | undefined
  for (let i = 0; i < 100 && pid === undefined; i++) {
    try {
      pid = Number(readFileSync(pidfile, 'utf8').trim())
    } catch {
      await sleep(20)
    }
  }
  if (!pid) return 'redis-server did not write its pid file'
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      try {
        process.kill(pid, 'SIGTERM')
      } catch {
        // Already gone.
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export async function startDynalite(): Promise<Service | string> {
  let dynalite: typeof import('dynalite').default
  try {
    dynalite = (await import('dynalite')).default
  } catch (error) {
    return `dynalite is not installed (${(error as Error).message})`
  }
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0 })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const address = server.address()
  if (typeof address !== 'object' || address === null) return 'dynalite did not listen'
  return {
    url: `http://127.0.0.1:${address.port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
