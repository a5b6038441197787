/**
 * `pnpm start`: the development IdP, the proxy and the Cognito stand-in on 127.0.0.1, then the
 * one URL to open and the demo credentials. Ctrl-C stops all three.
 *
 * Settings come from the environment or from NAME=value arguments (`pnpm start PKCE=false`): the
 * ones core's settings table gives the `local` runtime (docs/configuration.md lists them).
 * `pnpm start --fapi` (LOCAL_IDP=fapi) runs the IdP in its FAPI 2.0 profile (fapi-local.ts).
 */
import { relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { jsonLogger, readSettings, refuseWithoutPkce, SETTINGS } from '@idp-proxy/core'
import type { DevStore } from './dev-proxy.js'
import { type LocalOptions, startLocal } from './local.js'

export { type LocalOptions, type LocalRun, startLocal } from './local.js'

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** The ports the settings table documents as defaults. */
export const DEFAULT_PORTS = {
  standin: Number(SETTINGS.STANDIN_PORT.default),
  proxy: Number(SETTINGS.PROXY_PORT.default),
  idp: Number(SETTINGS.IDP_PORT.default),
}

type Settings = Record<string, string | undefined>

/**
 * The options `pnpm start` runs with, from the settings core's table gives the local run.
 * Throws one ProxyError ERR_INVALID_OPTION naming every setting at fault.
 */
export function optionsFromSettings(settings: Settings): LocalOptions {
  const reading = readSettings(settings, 'local')
  const { values } = reading
  const store = values.STORE ?? 'memory'
  if (reading.given.has('STORE') && values.STORE && store !== 'memory' && store !== 'sealed') {
    reading.report('STORE', 'the local run uses memory or sealed')
  }
  refuseWithoutPkce(reading)
  if (values.LOCAL_IDP === 'fapi' && values.PKCE === false) {
    reading.report('PKCE', 'the FAPI 2.0 IdP (LOCAL_IDP=fapi) requires PKCE')
  }
  if (values.LOCAL_IDP === 'fapi' && reading.given.has('IDP_REQUIRE_ACR')) {
    reading.report('IDP_REQUIRE_ACR', 'the FAPI 2.0 IdP (LOCAL_IDP=fapi) does not check acr_values')
  }
  reading.check()
  const pkce = values.PKCE ?? true
  const acr = values.IDP_REQUIRE_ACR
  // With an acr requirement and no parameters given, the proxy sends the acr the IdP wants
  // (PKCE on: the proxy is on the authorization path); AUTHORIZATION_PARAMS='{}' shows the IdP
  // refusing.
  const authorizationParams =
    values.AUTHORIZATION_PARAMS ?? (acr && pkce ? { acr_values: acr } : undefined)
  return {
    ports: {
      standin: values.STANDIN_PORT ?? DEFAULT_PORTS.standin,
      proxy: values.PROXY_PORT ?? DEFAULT_PORTS.proxy,
      idp: values.IDP_PORT ?? DEFAULT_PORTS.idp,
    },
    pkce,
    store: store as DevStore,
    ...(values.LOCAL_IDP === 'fapi' ? { idp: 'fapi' as const } : {}),
    ...(acr ? { idpRequireAcr: acr } : {}),
    ...(authorizationParams ? { authorizationParams } : {}),
    logger: jsonLogger({ level: values.LOG_LEVEL ?? 'info' }),
  }
}

/** `NAME=value` command-line arguments over the environment. */
function settingsFrom(argv: string[], env: Settings): Settings {
  const settings = { ...env }
  for (const arg of argv) {
    // `pnpm start -- --fapi` passes the `--` on.
    if (arg === '--') continue
    if (arg === '--fapi') {
      settings.LOCAL_IDP = 'fapi'
      continue
    }
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
  const requirements = run.fapi
    ? [...run.fapi.requires]
    : ['private_key_jwt', options.pkce === false ? undefined : 'PKCE S256']
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
  Mode             ${run.fapi ? 'FAPI 2.0 IdP (the proxy uses PAR, DPoP, its enc key; serves /userinfo), ' : ''}PKCE ${options.pkce === false ? 'off' : 'on'}, ${options.store} store, extra authorization params: ${params}
  Node             ${process.version}
  ${run.fapi ? 'FAPI 2.0 keys   ' : 'Signing key     '} ${run.keyFile ? relative(REPO_ROOT, run.keyFile) : 'in memory'} (${run.keyCreated ? 'generated now' : 'reused'})

Ctrl-C stops all three. The proxy logs one JSON line per request below.
`)
}

/**
 * Ctrl-C reaches every process of the terminal's group, and pnpm forwards it to its child once
 * more: with `once`, that second SIGINT would kill the process mid-close (and pnpm would print
 * ELIFECYCLE). So the first signal closes the servers and exits 0 (a requested stop is not a
 * failure), later ones are ignored, and a close that hangs is cut off after a few seconds.
 *
 * Nothing may stand between pnpm and this process: `node` on a script's PATH is the workspace
 * Node's `node_modules/.bin/node`, a shell script that runs the binary as its child instead of
 * exec'ing it. On Ctrl-C that shell dies of the SIGINT once its child has exited (pnpm then
 * reports "Command failed with signal SIGINT"), and pnpm's SIGTERM kills the shell and never
 * reaches node. So the `start` scripts exec `$(node -p process.execPath)`, the real binary.
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
