/**
 * The CLI entry: dispatches a command and turns every failure into one line on stderr and exit
 * code 1 (no stack: the messages of core's ProxyError never contain key material).
 */
import { isProxyError } from '@idp-proxy/core'
import { type FlagSpec, parseFlags } from './args.js'
import {
  type Command,
  generate,
  importKey,
  printPublic,
  promoteKey,
  rotateKeys,
} from './commands.js'
import { COMMAND_NAMES, helpText } from './help.js'
import type { CliIo } from './io.js'

const COMMANDS: Record<string, { run: Command; flags: FlagSpec }> = {
  generate: {
    run: generate,
    flags: {
      use: 'string',
      alg: 'string',
      bits: 'string',
      crv: 'string',
      kid: 'string',
      out: 'string',
      force: 'boolean',
    },
  },
  import: {
    run: importKey,
    flags: {
      key: 'string',
      cert: 'string',
      use: 'string',
      kid: 'string',
      alg: 'string',
      out: 'string',
      force: 'boolean',
    },
  },
  rotate: {
    run: rotateKeys,
    flags: {
      in: 'string',
      use: 'string',
      key: 'string',
      alg: 'string',
      bits: 'string',
      crv: 'string',
      kid: 'string',
      out: 'string',
      force: 'boolean',
    },
  },
  promote: {
    run: promoteKey,
    flags: {
      in: 'string',
      use: 'string',
      kid: 'string',
      'drop-old': 'boolean',
      out: 'string',
      force: 'boolean',
    },
  },
  public: { run: printPublic, flags: { in: 'string' } },
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined) {
    io.stderr(
      `${io.program}: no command given (${COMMAND_NAMES.join(', ')}); see ${io.program} --help\n`,
    )
    return 1
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${helpText(io.program, rest[0])}\n`)
    return 0
  }
  const command = COMMANDS[name]
  if (!command) {
    io.stderr(
      `${io.program}: unknown command "${name}" (${COMMAND_NAMES.join(', ')}); see ${io.program} --help\n`,
    )
    return 1
  }
  try {
    const flags = parseFlags(name, io.program, rest, command.flags)
    if (flags.help) {
      io.stdout(`${helpText(io.program, name)}\n`)
      return 0
    }
    await command.run(flags, io)
    return 0
  } catch (error) {
    io.stderr(`${io.program} ${name}: ${messageOf(error)}\n`)
    return 1
  }
}

function messageOf(error: unknown): string {
  if (isProxyError(error)) {
    // Library option names ("alg: ...") become the CLI's flags ("--alg: ...").
    if (error.code === 'ERR_INVALID_OPTION' && error.option && !error.option.startsWith('-')) {
      const flag = `--${error.option}`
      return error.message.startsWith(`${error.option}:`)
        ? flag + error.message.slice(error.option.length)
        : error.message
    }
    return oneLine(error.message)
  }
  // Not ours: say what it was, never the stack.
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return `unexpected error: ${oneLine(text)}`
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').slice(0, 500)
}
