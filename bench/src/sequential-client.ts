/**
 * One request at a time over one kept-alive connection, each timed with hrtime: the latency a
 * single caller (Cognito's one token call) sees, with sub-millisecond resolution and no queueing.
 */
import { Agent, request } from 'node:http'
import { elapsedMs } from './stats.js'

export interface PostTarget {
  port: number
  path: string
  /** A form to POST; without one, the request is a GET. */
  body?: string
}

export function createPoster(): { post(target: PostTarget): Promise<number>; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  return {
    post(target) {
      return new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: target.port,
            path: target.path,
            method: target.body === undefined ? 'GET' : 'POST',
            agent,
            headers:
              target.body === undefined
                ? {}
                : {
                    'content-type': 'application/x-www-form-urlencoded',
                    'content-length': Buffer.byteLength(target.body),
                  },
          },
          (res) => {
            res.resume()
            res.on('end', () => resolve(res.statusCode ?? 0))
          },
        )
        req.on('error', reject)
        req.end(target.body)
      })
    },
    close: () => agent.destroy(),
  }
}

/** Latencies (ms) of back-to-back POSTs for `durationMs`; throws on any status but 200. */
export async function timePosts(
  poster: ReturnType<typeof createPoster>,
  target: PostTarget,
  durationMs: number,
): Promise<number[]> {
  const samples: number[] = []
  const end = Date.now() + durationMs
  while (Date.now() < end) {
    const start = process.hrtime.bigint()
    const status = await poster.post(target)
    samples.push(elapsedMs(start))
    if (status !== 200) throw new Error(`POST ${target.path} on :${target.port} answered ${status}`)
  }
  return samples
}
