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
  return {
    log(level, event, fields) {
      if (order[level] < min) return
      write(JSON.stringify({ time: new Date(now()).toISOString(), level, event, ...fields }))
    },
  }
}

/** A logger that drops everything. */
export const silentLogger: Logger = { log() {} }

export function isLogLevel(value: string): value is LogLevel {
  return value in order
}
