#!/usr/bin/env node
/**
 * `idp-proxy serve`: the standalone server. Configuration comes from environment variables only
 * (`idp-proxy --help` lists them). Exits 1 with one line naming the variable when the
 * configuration is invalid, and 0 after a graceful shutdown on SIGTERM or SIGINT.
 */
import { ENV_VARIABLES, isProxyError } from '@idp-proxy/core'
import { SERVER_ENV_VARIABLES } from './env-config.js'
import { type RunningServer, startServer } from './server.js'

const USAGE =
  'usage: idp-proxy serve    (configured by environment variables; idp-proxy --help lists them)'

async function main(args: string[]): Promise<number | undefined> {
  const [command = 'serve'] = args
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(help())
    return 0
  }
  if (command !== 'serve') {
    console.error(`idp-proxy: unknown command "${command}"\n${USAGE}`)
    return 2
  }
  let server: RunningServer
  try {
    server = await startServer({ env: process.env })
  } catch (error) {
    console.error(`idp-proxy: ${describe(error)}`)
    return 1
  }
  const stop = (signal: string) => {
    server.close(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`idp-proxy: shutdown failed: ${describe(error)}`)
        process.exit(1)
      },
    )
  }
  // A bug that escapes every handler: one JSON log line, then exit 1 for the supervisor to restart.
  process.on('uncaughtException', (error) => {
    console.error(
      JSON.stringify({
        time: new Date().toISOString(),
        level: 'error',
        event: 'uncaught_exception',
        message: describe(error),
      }),
    )
    process.exit(1)
  })
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
  return undefined
}

/** One line, no stack: configuration errors already start with the variable's name. */
function describe(error: unknown): string {
  if (isProxyError(error)) {
    return error.code === 'ERR_INVALID_OPTION' || error.code === 'ERR_INVALID_KEY'
      ? `invalid configuration: ${error.message}`
      : `cannot start: ${error.message}`
  }
  const { code, message } = (error ?? {}) as { code?: string; message?: string }
  return `cannot start: ${[code, message].filter(Boolean).join(' ') || String(error)}`
}

function help(): string {
  const rows = Object.entries({ ...ENV_VARIABLES, ...SERVER_ENV_VARIABLES })
  const width = Math.max(...rows.map(([name]) => name.length))
  return [
    USAGE,
    '',
    'Environment variables:',
    ...rows.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`),
  ].join('\n')
}

const code = await main(process.argv.slice(2))
if (code !== undefined) process.exitCode = code
