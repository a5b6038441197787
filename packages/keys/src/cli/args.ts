/**
 * A small, strict flag parser: `--name value`, `--name=value` and boolean `--name`. Unknown,
 * repeated or value-less flags are refused with a one-line message naming the flag.
 */
import { invalidOption } from '@idp-proxy/core'

export type FlagKind = 'string' | 'boolean'
export type FlagSpec = Readonly<Record<string, FlagKind>>
export type Flags = Readonly<Record<string, string | true | undefined>>

export function parseFlags(
  command: string,
  program: string,
  argv: readonly string[],
  spec: FlagSpec,
): Flags {
  const flags: Record<string, string | true> = {}
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string
    if (arg === '-h' || arg === '--help') {
      flags.help = true
      continue
    }
    if (!arg.startsWith('--') || arg === '--') {
      throw invalidOption(
        command,
        `unexpected argument "${arg}" (see ${program} ${command} --help)`,
      )
    }
    const equals = arg.indexOf('=')
    const name = equals < 0 ? arg.slice(2) : arg.slice(2, equals)
    const kind = spec[name]
    if (!kind)
      throw invalidOption(
        `--${name}`,
        `is not a flag of "${command}" (see ${program} ${command} --help)`,
      )
    if (name in flags) throw invalidOption(`--${name}`, 'is given twice')
    if (kind === 'boolean') {
      if (equals >= 0) throw invalidOption(`--${name}`, 'takes no value')
      flags[name] = true
      continue
    }
    const value = equals < 0 ? argv[++index] : arg.slice(equals + 1)
    if (value === undefined || value === '' || (equals < 0 && value.startsWith('--'))) {
      throw invalidOption(`--${name}`, 'needs a value')
    }
    flags[name] = value
  }
  return flags
}

export function stringFlag(flags: Flags, name: string): string | undefined {
  const value = flags[name]
  return typeof value === 'string' ? value : undefined
}

export function requiredFlag(flags: Flags, name: string, what: string): string {
  const value = stringFlag(flags, name)
  if (value === undefined) throw invalidOption(`--${name}`, `is required: ${what}`)
  return value
}

export function numberFlag(flags: Flags, name: string): number | undefined {
  const value = stringFlag(flags, name)
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) throw invalidOption(`--${name}`, `"${value}" is not a whole number`)
  return Number(value)
}
