/**
 * autocannon, programmatic, with our own latency samples: autocannon's histogram keeps whole
 * milliseconds (too coarse here) and its latency figures skip 3xx answers (every /authorize is a
 * 302), so every response time is recorded from its 'response' event instead.
 */
import autocannon from 'autocannon'

export interface LoadOptions {
  url: string
  connections: number
  durationSeconds: number
  method?: 'GET' | 'POST'
  body?: string
  headers?: Record<string, string>
}

export interface LoadResult {
  requests: number
  seconds: number
  latenciesMs: number[]
  statusCodes: Record<number, number>
  errors: number
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latenciesMs: number[] = []
  const statusCodes: Record<number, number> = {}
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationSeconds,
        method: options.method ?? 'GET',
        ...(options.body === undefined ? {} : { body: options.body }),
        headers: options.headers ?? {},
      },
      (error, result) => {
        if (error) return reject(error)
        resolve({
          requests: latenciesMs.length,
          seconds: Number(process.hrtime.bigint() - started) / 1e9,
          latenciesMs,
          statusCodes,
          errors: result.errors + result.timeouts,
        })
      },
    )
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latenciesMs.push(responseTime)
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1
    })
  })
}

/** Throws when any answer was not `expected`: a benchmark of error pages measures nothing. */
export function expectStatus(result: LoadResult, expected: number, what: string): void {
  const unexpected = Object.entries(result.statusCodes).filter(
    ([code]) => Number(code) !== expected,
  )
  if (unexpected.length || result.errors) {
    throw new Error(
      `${what}: expected only ${expected}, got ${JSON.stringify(result.statusCodes)} and ${result.errors} errors`,
    )
  }
}
