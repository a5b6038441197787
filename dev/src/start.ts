/**
 * `pnpm start`: the development IdP, the proxy and the Cognito stand-in on 127.0.0.1, then the
 * one URL to open and the demo credentials. Ctrl-C stops all three.
 *
 * Settings come from the environment or from NAME=value arguments (`pnpm start PKCE=false`):
 * PKCE, STORE, IDP_REQUIRE_ACR, AUTHORIZATION_PARAMS, STANDIN_PORT, PROXY_PORT, IDP_PORT, LOG_LEVEL.
 */
import { relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { jsonLogger, type LogLevel } from '@idp-proxy/core'
import type { DevStore } from './dev-proxy.js'
import { type LocalOptions, startLocal } from './local.js'

export { type LocalOptions, type LocalRun, startLocal } from './local.js'

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

export const DEFAULT_PORTS = { standin: 8400, proxy: 8401, idp: 8402 }

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']

type Settings = Record<string, string | undefined>

/** The options `pnpm start` runs with; throws an Error naming the setting at fault. */
export function optionsFromSettings(settings: Settings): LocalOptions {
  const pkce = flag(settings, 'PKCE', true)
  const store = settings.STORE?.trim() || 'memory'
  if (store !== 'memory' && store !== 'sealed') throw new Error('STORE: use memory or sealed')
  const acr = settings.IDP_REQUIRE_ACR?.trim() || undefined
  const params = settings.AUTHORIZATION_PARAMS?.trim()
  // With an acr requirement and no parameters given, the proxy sends the acr the IdP wants;
  // AUTHORIZATION_PARAMS='{}' shows the IdP refusing.
  const authorizationParams = params ? parseParams(params) : acr ? { acr_values: acr } : undefined
  const level = settings.LOG_LEVEL?.trim() || 'info'
  if (!LOG_LEVELS.includes(level as LogLevel))
    throw new Error('LOG_LEVEL: use debug, info, warn or error')
  return {
    ports: {
      standin: port(settings, 'STANDIN_PORT', DEFAULT_PORTS.standin),
      proxy: port(settings, 'PROXY_PORT', DEFAULT_PORTS.proxy),
      idp: port(settings, 'IDP_PORT', DEFAULT_PORTS.idp),
    },
    pkce,
    store: store as DevStore,
    ...(acr ? { idpRequireAcr: acr } : {}),
    ...(authorizationParams ? { authorizationParams } : {}),
    logger: jsonLogger({ level: level as LogLevel }),
  }
}

function flag(settings: Settings, name: string, fallback: boolean): boolean {
  const value = settings[name]?.trim()
  if (!value) return fallback
  if (/^(true|1|yes|on)$/i.test(value)) return true
  if (/^(false|0|no|off)$/i.test(value)) return false
  throw new Error(`${name}: use true or false`)
}

function port(settings: Settings, name: string, fallback: number): number {
  const value = settings[name]?.trim()
  if (!value) return fallback
  const number = Number(value)
  if (!/^\d+$/.test(value) || number > 65_535) throw new Error(`${name}: not a port number`)
  return number
}

/** A JSON object of strings, or query-string form `acr_values=x&prompt=login`. */
function parseParams(text: string): Record<string, string> {
  if (!text.startsWith('{')) return Object.fromEntries(new URLSearchParams(text))
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new Error('AUTHORIZATION_PARAMS: not valid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('AUTHORIZATION_PARAMS: must be a JSON object')
  }
  for (const [key, param] of Object.entries(value)) {
    if (typeof param !== 'string')
      throw new Error(`AUTHORIZATION_PARAMS: "${key}" must be a string`)
  }
  return value as Record<string, string>
}

/** `NAME=value` command-line arguments over the environment. */
function settingsFrom(argv: string[], env: Settings): Settings {
  const settings = { ...env }
  for (const arg of argv) {
    const match = /^([A-Z_]+)=(.*)$/.exec(arg)
    if (!match)
      throw new Error(`unknown argument "${arg}" (settings are NAME=value, e.g. PKCE=false)`)
    settings[match[1] as string] = match[2]
  }
  return settings
}

async function main(): Promise<void> {
  let options: LocalOptions
  try {
    options = optionsFromSettings(settingsFrom(process.argv.slice(2), process.env))
  } catch (error) {
    console.error(`idp-proxy local run: ${(error as Error).message}`)
    process.exit(2)
  }
  let run: Awaited<ReturnType<typeof startLocal>>
  try {
    run = await startLocal(options)
  } catch (error) {
    console.error(`idp-proxy local run could not start: ${(error as Error).message}`)
    process.exit(1)
  }
  // Before the banner: whoever reads "Ctrl-C stops all three" may press it at once.
  stopOnSignals(run)
  const user = run.users[0]
  const requirements = ['private_key_jwt', options.pkce === false ? undefined : 'PKCE S256']
  if (options.idpRequireAcr) requirements.push(`acr_values=${options.idpRequireAcr}`)
  const params = options.authorizationParams
    ? new URLSearchParams(options.authorizationParams).toString()
    : 'none'
  console.log(`
idp-proxy local run (development only)

  Open  ${run.urls.standin}   <- the Cognito stand-in: click "Sign in"
  Demo user: ${user?.username}  password: ${user?.password}

  Proxy            ${run.urls.proxy}   (JWKS ${run.proxy.jwks})
  Development IdP  ${run.urls.idp}   (requires ${requirements.filter(Boolean).join(', ')})
  Mode             PKCE ${options.pkce === false ? 'off' : 'on'}, ${options.store} store, extra authorization params: ${params}
  Signing key      ${run.keyFile ? relative(REPO_ROOT, run.keyFile) : 'in memory'} (${run.keyCreated ? 'generated now' : 'reused'})

Ctrl-C stops all three. The proxy logs one JSON line per request below.
`)
}

/**
 * Ctrl-C reaches every process of the terminal's group, and pnpm forwards it to its child once
 * more: with `once`, that second SIGINT would kill the process mid-close (and pnpm would print
 * ELIFECYCLE). So the first signal closes the servers and exits 0 (a requested stop is not a
 * failure), later ones are ignored, and a close that hangs is cut off after a few seconds.
 */
function stopOnSignals(run: { close(): Promise<void> }): void {
  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    process.stdout.write(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping the local run.\n`)
    setTimeout(() => process.exit(130), 3000).unref()
    run.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
