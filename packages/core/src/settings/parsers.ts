/**
 * Text parsers for settings: each turns one value as written (an environment variable, a Pulumi
 * config value) into what the proxy uses, or throws a SettingProblem saying what is wrong. They
 * never quote a value back, so a secret given in the wrong place never reaches a log.
 */

/** What is wrong with one value; the caller adds the setting's name. */
export class SettingProblem extends Error {
  override readonly name = 'SettingProblem'
}

export interface ParseContext {
  /** `ALLOW_INSECURE_HTTP`: http: URLs pass (local development). */
  readonly allowInsecureHttp: boolean
}

/** Parses the trimmed, non-empty text of one setting. */
export type Parser<T> = (text: string, context: ParseContext) => T

export function problem(message: string): SettingProblem {
  return new SettingProblem(message)
}

export const text: Parser<string> = (value) => value

export const boolean: Parser<boolean> = (value) => {
  if (/^(true|1|yes|on)$/i.test(value)) return true
  if (/^(false|0|no|off)$/i.test(value)) return false
  throw problem('must be true or false')
}

/** A parser of whole numbers that carries its range (the docs and tests read it). */
export type RangeParser = Parser<number> & { readonly min: number; readonly max: number }

export function wholeNumber(min: number, max: number): RangeParser {
  const parse: Parser<number> = (value) => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw problem(`must be a whole number from ${min} to ${max}`)
    }
    return Number(value)
  }
  return Object.assign(parse, { min, max })
}

export const port: Parser<number> = (value, context) => {
  try {
    return wholeNumber(0, 65_535)(value, context)
  } catch {
    throw problem('must be a port number (0-65535)')
  }
}

export function oneOf<const T extends string>(values: readonly T[]): Parser<T> {
  return (value) => {
    if (!(values as readonly string[]).includes(value)) {
      throw problem(`must be ${values.slice(0, -1).join(', ')} or ${values.at(-1)}`)
    }
    return value as T
  }
}

export function minLength(length: number): Parser<string> {
  return (value) => {
    if (value.length < length) throw problem(`must be at least ${length} characters`)
    return value
  }
}

/**
 * An absolute https URL (http too with ALLOW_INSECURE_HTTP), returned as written: `URL.href`
 * would add a trailing slash to an issuer, and issuers are compared as exact strings.
 */
export function httpsUrl(options: { httpOnLoopbackOnly?: boolean } = {}): Parser<string> {
  return (value, context) => {
    const allowHttp =
      context.allowInsecureHttp && (!options.httpOnLoopbackOnly || isLoopbackUrl(value))
    parseUrl(value, allowHttp)
    return value
  }
}

/** The URL rule every option and setting shares: absolute, https unless http is allowed. */
export function parseUrl(value: string, allowHttp: boolean): URL {
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    throw problem(`"${value}" is not an absolute URL`)
  }
  if (parsed.protocol !== 'https:' && !(allowHttp && parsed.protocol === 'http:')) {
    throw problem(`must be an https URL (got ${parsed.protocol})`)
  }
  return parsed
}

/** True for URLs on this machine (127.0.0.1, [::1], localhost). */
export function isLoopbackUrl(value: unknown): boolean {
  try {
    return ['127.0.0.1', '[::1]', 'localhost'].includes(new URL(String(value)).hostname)
  } catch {
    return false
  }
}

/** Comma-separated items, each parsed by `item`. */
export function list<T>(item: Parser<T>): Parser<T[]> {
  return (value, context) =>
    value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => item(part, context))
}

/** A JSON object of strings, or query-string form `a=1&b=2` (both shapes of AUTHORIZATION_PARAMS). */
export const stringMap: Parser<Record<string, string>> = (value) => {
  if (!value.startsWith('{')) return Object.fromEntries(new URLSearchParams(value))
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    throw problem('is not valid JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw problem('must be a JSON object')
  }
  for (const [key, item] of Object.entries(parsed)) {
    if (typeof item !== 'string') throw problem(`"${key}" must be a string`)
  }
  return parsed as Record<string, string>
}

/** Either one of `words`, or a URL (ASSERTION_AUDIENCE: token_endpoint, issuer or a URL). */
export function wordOrUrl<const T extends string>(words: readonly T[]): Parser<T | (string & {})> {
  return (value, context) =>
    (words as readonly string[]).includes(value) ? value : httpsUrl()(value, context)
}

/** `memory`, `sealed`, `dynamodb` or a `redis://` / `rediss://` URL. */
export const storeKind: Parser<string> = (value) => {
  if (/^(memory|sealed|dynamodb)$/.test(value) || /^rediss?:\/\/\S+$/i.test(value)) return value
  throw problem('must be memory, sealed, dynamodb or a redis:// URL')
}
