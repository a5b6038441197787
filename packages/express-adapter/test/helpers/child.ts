/** The standalone server as a child process: its JSON log lines, its exit, waits without sleeps. */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url))

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  stderr: string
}

export interface ServerChild {
  child: ChildProcess
  /** Parsed JSON lines from stdout so far. */
  lines: Record<string, unknown>[]
  /** Resolves with the first line (already seen or to come) whose event is `event`; rejects on exit. */
  waitFor(event: string): Promise<Record<string, unknown>>
  exited: Promise<Exit>
}

export function runServer(
  args: string[],
  env: Record<string, string>,
  command = ['--conditions=source', '--import', 'tsx', 'src/bin.ts'],
  cwd = PACKAGE_DIR,
): ServerChild {
  const child = spawn(process.execPath, [...command, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: Record<string, unknown>[] = []
  const waiters: {
    event: string
    resolve: (line: Record<string, unknown>) => void
    reject: (e: Error) => void
  }[] = []
  let stderr = ''
  let buffer = ''
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk
  })
  child.stdout?.setEncoding('utf8')
  child.stdout?.on('data', (chunk: string) => {
    buffer += chunk
    let newline = buffer.indexOf('\n')
    while (newline >= 0) {
      const text = buffer.slice(0, newline)
      buffer = buffer.slice(newline + 1)
      newline = buffer.indexOf('\n')
      let line: Record<string, unknown>
      try {
        line = JSON.parse(text) as Record<string, unknown>
      } catch {
        line = { event: 'non_json_output', text }
      }
      lines.push(line)
      for (const waiter of waiters.filter((w) => w.event === line.event)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(line)
      }
    }
  })
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      // stdout/stderr may still hold data: wait for both streams to end.
      let open = 2
      const done = () => {
        if (--open === 0) {
          for (const waiter of waiters.splice(0)) {
            waiter.reject(
              new Error(`server exited (${code ?? signal}) before "${waiter.event}": ${stderr}`),
            )
          }
          resolve({ code, signal, stderr })
        }
      }
      if (child.stdout?.readableEnded) done()
      else child.stdout?.once('end', done)
      if (child.stderr?.readableEnded) done()
      else child.stderr?.once('end', done)
    })
  })
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  void exited.then(() => process.off('exit', killOnExit))
  return {
    child,
    lines,
    exited,
    waitFor(event) {
      const seen = lines.find((line) => line.event === event)
      if (seen) return Promise.resolve(seen)
      if (child.exitCode !== null || child.signalCode !== null) {
        return Promise.reject(new Error(`server already exited before "${event}": ${stderr}`))
      }
      return new Promise((resolve, reject) => waiters.push({ event, resolve, reject }))
    },
  }
}
