#!/usr/bin/env node
/**
 * `idp-proxy serve`: the standalone server. Configuration comes from environment variables only
 * (`idp-proxy --help` lists them). Exits 1 with one line naming the variable when the
 * configuration is invalid, and 0 after a graceful shutdown on SIGTERM or SIGINT.
 */
import { isProxyError, settingsHelp } from '@idp-proxy/core'
import { keepAliveFetch } from './keep-alive-fetch.js'
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
    // The IdP over kept-alive node:http connections (keep-alive-fetch.ts).
    server = await startServer({ env: process.env, fetch: keepAliveFetch() })
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

/**
 * No stack: a configuration error lists every problem, one line each, each starting with its
 * variable's name (one line in all when there is one problem).
 */
function describe(error: unknown): string {
  if (isProxyError(error)) {
    return error.code === 'ERR_INVALID_OPTION' || error.code === 'ERR_INVALID_KEY'
      ? `invalid configuration: ${error.message}`
      : `cannot start: ${error.message}`
  }
  const { code, message } = (error ?? {}) as { code?: string; message?: string }
  return `cannot start: ${[code, message].filter(Boolean).join(' ') || String(error)}`
}

/** From core's settings table: the variables the server reads (docs/configuration.md has all). */
function help(): string {
  return [USAGE, '', 'Environment variables:', settingsHelp('server')].join('\n')
}

const code = await main(process.argv.slice(2))
if (code !== undefined) process.exitCode = code
