/**
 * The shape of one setting in the table (table.ts): how it is written, parsed, defaulted,
 * documented, and which runtimes read it. The environment layer, `idp-proxy --help`,
 * docs/configuration.md and the Pulumi program's config validation all read the same entries.
 */
import type { Parser } from './parsers.js'

/**
 * Who reads a setting from its environment:
 * - `core`: `optionsFromEnv(env)` in your own code (the proxy's settings, no adapter's);
 * - `server`: the standalone server `idp-proxy serve`;
 * - `lambda:authorize`, `lambda:callback`, `lambda:token`: each Lambda function (the token
 *   function also serves the JWKS and /health);
 * - `local`: the local run (`pnpm start`).
 */
export const RUNTIMES = [
  'core',
  'server',
  'lambda:authorize',
  'lambda:callback',
  'lambda:token',
  'local',
] as const

export type Runtime = (typeof RUNTIMES)[number]

export interface Setting<T = unknown> {
  /** What it means, in one or two sentences (the docs table and `--help`). */
  readonly doc: string
  /** Parses the trimmed, non-empty text; throws a SettingProblem. */
  readonly parse: Parser<T>
  /** The runtimes that read it. */
  readonly runtimes: readonly Runtime[]
  /** The runtimes that refuse to start without it. */
  readonly required?: readonly Runtime[]
  /** What applies when it is not set, as documented. */
  readonly default?: string
  /**
   * The library options it feeds (`createProxy`'s `baseUrl`, `DynamoDbFlowStore`'s `tableName`):
   * an error about one of them (or a member, `paths.token`) is reported under this variable.
   */
  readonly options?: readonly string[]
  /** Its key in the Pulumi stack configuration, when the Pulumi program takes it. */
  readonly pulumiKey?: string
  /** The value is a secret: never shown, and the docs say to keep it out of plain environments. */
  readonly secret?: boolean
}

/** Settings of which a runtime needs exactly one (`required`) or at most one. */
export interface SettingGroup<N extends string = string> {
  readonly names: readonly N[]
  readonly runtimes: readonly Runtime[]
  /** At least one must be set. */
  readonly required: boolean
  /** Why, in a few words ("the token function signs"). */
  readonly why: string
}

/** Builds a table entry, keeping the parser's value type for the typed values of readSettings. */
export function setting<T>(definition: Setting<T>): Setting<T> {
  return definition
}

/** The three Lambda functions. */
export const LAMBDA: readonly Runtime[] = ['lambda:authorize', 'lambda:callback', 'lambda:token']
/** Every runtime that runs a proxy from its environment. */
export const PROXY: readonly Runtime[] = ['core', 'server', ...LAMBDA]
/** Where /token runs. */
export const TOKEN: readonly Runtime[] = ['core', 'server', 'lambda:token']
/** Where /authorize runs: the token function too, when it serves every route alone. */
export const AUTHORIZE: readonly Runtime[] = ['core', 'server', 'lambda:authorize', 'lambda:token']
/**
 * Where client assertions are signed: /token, and /authorize when it pushes authorization
 * requests (PAR): the authorize function reads the key settings too.
 */
export const SIGNING: readonly Runtime[] = [...TOKEN, 'lambda:authorize']
/** The Lambda functions that sign (the token function; the authorize one with PAR). */
export const LAMBDA_SIGNING: readonly Runtime[] = ['lambda:authorize', 'lambda:token']
