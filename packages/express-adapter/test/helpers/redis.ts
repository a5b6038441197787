/**
 * A real redis-server on a free loopback port, in a temporary directory, without persistence.
 * Missing redis-server fails the test loudly (CI installs it: apt-get install -y redis-server).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface RedisProcess {
  port: number
  url: string
  /** SIGKILL, as a crash would; resolves when the process is gone. */
  kill(): Promise<void>
  /** Starts it again on the same port (empty: nothing was persisted). */
  start(): Promise<void>
  /** SIGSTOP / SIGCONT: the connection stays open but nothing answers. */
  freeze(): void
  thaw(): void
  /** Stops it for good and removes its directory. */
  stop(): Promise<void>
}

export function requireRedisServer(): void {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'redis-server is not installed: run `apt-get install -y redis-server` (.ci/run does)',
    )
  }
}

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export async function startRedis(): Promise<RedisProcess> {
  requireRedisServer()
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'idp-proxy-redis-'))
  let child: ChildProcess | undefined
  const killOnExit = () => child?.kill('SIGKILL')
  process.once('exit', killOnExit)

  async function start(): Promise<void> {
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    child = proc
    await new Promise<void>((resolve, reject) => {
      let output = ''
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        if (output.includes('Ready to accept connections')) {
          proc.stdout?.off('data', onData)
          proc.stdout?.resume()
          resolve()
        }
      }
      proc.stdout?.on('data', onData)
      proc.once('exit', (code) =>
        reject(new Error(`redis-server exited (${code}): ${output.slice(-500)}`)),
      )
      proc.once('error', reject)
    })
  }

  async function kill(): Promise<void> {
    const proc = child
    child = undefined
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
    proc.kill('SIGKILL')
    await gone
  }

  await start()
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    start,
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
    async stop() {
      child?.kill('SIGCONT')
      await kill()
      process.off('exit', killOnExit)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface RedisCluster {
  /** `redis://127.0.0.1:<port>` of each node (all masters, no replicas). */
  urls: string[]
  stop(): Promise<void>
}

/**
 * Three `redis-server --cluster-enabled yes` nodes on free loopback ports, joined with
 * `redis-cli --cluster create` (all 16 384 slots covered), ready when every node reports
 * `cluster_state:ok`.
 */
export async function startRedisCluster(size = 3): Promise<RedisCluster> {
  requireRedisServer()
  const nodes: { port: number; dir: string; child: ChildProcess }[] = []
  const killAll = () => {
    for (const node of nodes) node.child.kill('SIGKILL')
  }
  process.once('exit', killAll)
  try {
    for (let i = 0; i < size; i++) {
      const port = await freePort()
      const dir = mkdtempSync(join(tmpdir(), 'idp-proxy-redis-cluster-'))
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, 'nodes.conf'),
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      )
      nodes.push({ port, dir, child })
      await waitForOutput(child, 'Ready to accept connections')
    }
    const create = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    )
    if (create.status !== 0) {
      throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`)
    }
    // The nodes agree on the slot map through gossip: wait until each says the cluster is up.
    for (const node of nodes) {
      for (let attempt = 0; ; attempt++) {
        const info = spawnSync('redis-cli', ['-p', String(node.port), 'cluster', 'info'], {
          encoding: 'utf8',
        })
        if (info.stdout.includes('cluster_state:ok')) break
        if (attempt > 200) throw new Error(`cluster node ${node.port} never reported ok`)
        // Polling a state, not timing anything: convergence takes a second or so.
        await new Promise<void>((resolve) => setTimeout(resolve, 50))
      }
    }
  } catch (error) {
    killAll()
    throw error
  }
  return {
    urls: nodes.map((node) => `redis://127.0.0.1:${node.port}`),
    async stop() {
      await Promise.all(
        nodes.map(
          (node) =>
            new Promise<void>((resolve) => {
              if (node.child.exitCode !== null) return resolve()
              node.child.once('exit', () => resolve())
              node.child.kill('SIGKILL')
            }),
        ),
      )
      process.off('exit', killAll)
      for (const node of nodes) rmSync(node.dir, { recursive: true, force: true })
    },
  }
}

function waitForOutput(child: ChildProcess, text: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes(text)) {
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        resolve()
      }
    }
    child.stdout?.on('data', onData)
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited (${code}): ${output.slice(-500)}`)),
    )
    child.once('error', reject)
  })
}
