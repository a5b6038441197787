/**
 * Structured logging. The proxy only ever passes the logger fields it chose (event names, request
 * ids, routes, statuses, error codes, durations): never a secret, code, verifier, assertion, key or
 * token. The default logger writes one JSON object per line.
 */

/** Log levels, quietest last. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const

export type LogLevel = (typeof LOG_LEVELS)[number]

export type LogFields = Record<string, string | number | boolean | undefined>

export interface Logger {
  log(level: LogLevel, event: string, fields?: LogFields): void
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface JsonLoggerOptions {
  /** Lowest level written. Default `info`. */
  level?: LogLevel
  /** Where lines go. Default `console.log` (stdout; CloudWatch on Lambda). */
  write?: (line: string) => void
  /** Clock for the `time` field (ms since epoch). */
  now?: () => number
}

/** A logger that writes `{"time":…,"level":…,"event":…,…fields}` lines. */
export function jsonLogger(options: JsonLoggerOptions = {}): Logger {
  const min = order[options.level ?? 'info']
  const write = options.write ?? ((line: string) => console.log(line))
  const now = options.now ?? (() => Date.now())
  // The ISO time of the last millisecond logged: a busy server writes several lines per ms.
  let lastMs = Number.NaN
  let lastTime = ''
  return {
    log(level, event, fields) {
      if (order[level] < min) return
      const ms = now()
      if (ms !== lastMs) {
        lastTime = new Date(ms).toISOString()
        lastMs = ms
      }
      write(line(lastTime, level, event, fields))
    },
  }
}

/**
 * `{"time":…,"level":…,"event":…,…fields}` as one string: the fields serialised as they are and
 * spliced in, instead of a merged copy (the line every request writes). Fields that would replace
 * `time`, `level` or `event` take the merging path, so the JSON is the same either way.
 */
function line(time: string, level: LogLevel, event: string, fields: LogFields | undefined): string {
  if (fields === undefined || 'time' in fields || 'level' in fields || 'event' in fields) {
    return JSON.stringify({ time, level, event, ...fields })
  }
  const head = `{"time":"${time}","level":${JSON.stringify(level)},"event":${JSON.stringify(event)}`
  const rest = JSON.stringify(fields)
  return rest === '{}' ? `${head}}` : `${head},${rest.slice(1)}`
}

/** A logger that drops everything. */
export const silentLogger: Logger = { log() {} }

export function isLogLevel(value: string): value is LogLevel {
  return value in order
}
