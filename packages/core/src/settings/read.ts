/**
 * Reads the settings of one runtime from its environment (or the Pulumi program's config) and
 * collects every problem, each naming its variable, so that one start-up reports them all.
 */
import { type ConfigProblem, invalidOptions, isProxyError } from '../errors.js'
import { type ParseContext, SettingProblem } from './parsers.js'
import type { Runtime } from './setting.js'
import { SETTING_GROUPS, SETTINGS, type SettingName, type SettingValues } from './table.js'

export type Env = Readonly<Record<string, string | undefined>>

/** Where a reading's names come from: environment variables, or the Pulumi config keys. */
export type SettingsSource = Runtime | 'pulumi'

export interface SettingsReading {
  readonly source: SettingsSource
  /** The parsed value of every setting of this runtime that is set and valid. */
  readonly values: SettingValues
  /** Settings given explicitly (set and non-empty), valid or not. */
  readonly given: ReadonlySet<SettingName>
  readonly problems: readonly ConfigProblem[]
  readonly context: ParseContext
  /** The name a setting has in this source: its variable, or its Pulumi config key. */
  nameOf(setting: SettingName): string
  /** Records a problem with a setting. */
  report(setting: SettingName, message: string): void
  /**
   * Runs `build` (a library constructor, `createProxy`) and reports an ERR_INVALID_OPTION it
   * throws under the setting that feeds the option it names, or under `fallback`.
   */
  attempt<T>(fallback: SettingName, build: () => T): T | undefined
  /** Throws one ProxyError ERR_INVALID_OPTION listing every problem, when there is any. */
  check(): void
}

/** The settings a runtime reads (a Pulumi reading: those with a Pulumi key). */
export function settingsOf(source: SettingsSource): SettingName[] {
  return (Object.keys(SETTINGS) as SettingName[]).filter((name) => {
    const setting = SETTINGS[name] as { runtimes: readonly Runtime[]; pulumiKey?: string }
    return source === 'pulumi' ? setting.pulumiKey !== undefined : setting.runtimes.includes(source)
  })
}

/**
 * Parses every setting `source` reads from `env` (keyed by variable name; by Pulumi config key
 * for `pulumi`). Missing required settings and groups are problems too. Never throws: call
 * `check()` once the caller has added its own problems. `only` reads just those settings (a
 * Pulumi program validating the keys it takes, a key check).
 */
export function readSettings(
  env: Env,
  source: SettingsSource,
  options: { only?: readonly SettingName[] } = {},
): SettingsReading {
  const names = settingsOf(source).filter((name) => !options.only || options.only.includes(name))
  const nameOf = (name: SettingName): string =>
    source === 'pulumi' ? ((SETTINGS[name] as { pulumiKey?: string }).pulumiKey ?? name) : name
  const raw = (name: SettingName): string | undefined => {
    const value = env[nameOf(name)]?.trim()
    return value ? value : undefined
  }
  const problems: ConfigProblem[] = []
  const values: Record<string, unknown> = {}
  const given = new Set<SettingName>(names.filter((name) => raw(name) !== undefined))
  const report = (name: SettingName, message: string) => {
    problems.push({ name: nameOf(name), message })
  }

  // ALLOW_INSECURE_HTTP first: the URL parsers depend on it.
  let allowInsecureHttp = false
  const insecure = raw('ALLOW_INSECURE_HTTP')
  if (names.includes('ALLOW_INSECURE_HTTP') && insecure !== undefined) {
    allowInsecureHttp = /^(true|1|yes|on)$/i.test(insecure)
  }
  const context: ParseContext = { allowInsecureHttp }

  for (const name of names) {
    const setting = SETTINGS[name] as {
      parse: (text: string, context: ParseContext) => unknown
      required?: readonly Runtime[]
    }
    const value = raw(name)
    if (value === undefined) {
      if (source !== 'pulumi' && setting.required?.includes(source)) report(name, 'is required')
      continue
    }
    try {
      values[name] = setting.parse(value, context)
    } catch (error) {
      if (!(error instanceof SettingProblem)) throw error
      report(name, error.message)
    }
  }
  if (source !== 'pulumi') {
    for (const group of SETTING_GROUPS) {
      if (!group.runtimes.includes(source)) continue
      if (!group.names.every((name) => names.includes(name))) continue
      const set = group.names.filter((name) => given.has(name))
      if (set.length > 1) {
        report(set[1] as SettingName, `set only one of ${set.join(', ')}`)
      } else if (set.length === 0 && group.required) {
        report(
          group.names[0] as SettingName,
          `is required (or ${group.names.slice(1).join(' or ')}): ${group.why}`,
        )
      }
    }
  }

  const reading: SettingsReading = {
    source,
    values: values as SettingValues,
    given,
    problems,
    context,
    nameOf,
    report,
    attempt(fallback, build) {
      try {
        return build()
      } catch (error) {
        if (!isProxyError(error) || error.code !== 'ERR_INVALID_OPTION') throw error
        for (const found of error.problems) {
          const match = settingForOption(found.name, names)
          report(
            match?.setting ?? fallback,
            match?.member ? `${match.member} ${found.message}` : found.message,
          )
        }
        return undefined
      }
    },
    check() {
      if (problems.length > 0) throw invalidOptions(problems)
    },
  }
  return reading
}

/**
 * The setting among `names` that feeds the library option `option`, and the member named after
 * it (`paths.token` -> ROUTE_PATHS, member `token`).
 */
export function settingForOption(
  option: string,
  names: readonly SettingName[],
): { setting: SettingName; member: string | undefined } | undefined {
  const optionsOf = (name: SettingName) =>
    (SETTINGS[name] as { options?: readonly string[] }).options ?? []
  // An exact option first (`idp.tokenEndpoint`), then the nearest parent (`paths` for
  // `paths.token`; `metrics.dimensions`, not `metrics`, for `metrics.dimensions.Stage`).
  const exact = names.find((name) => optionsOf(name).includes(option))
  if (exact) return { setting: exact, member: undefined }
  let best: { setting: SettingName; parent: string } | undefined
  for (const name of names) {
    for (const parent of optionsOf(name)) {
      if (option.startsWith(`${parent}.`) && parent.length > (best?.parent.length ?? 0)) {
        best = { setting: name, parent }
      }
    }
  }
  return best && { setting: best.setting, member: option.slice(best.parent.length + 1) }
}
