/**
 * Every setting of idp-proxy, once: its environment variable, parser, default, the runtimes that
 * read it, the library option it feeds, its Pulumi config key and its documentation. To add a
 * setting, add one entry to proxy-settings.ts or limit-settings.ts (a `createProxy` option),
 * runtime-settings.ts (an adapter's or the local run's) or server-settings.ts (the server's
 * limits, metrics), run `pnpm docs:config`, and read it where it applies:
 * `proxyOptionsFrom` in env.ts, or the adapter's environment module (`reading.values.NAME`).
 */
import { LIMIT_SETTINGS } from './limit-settings.js'
import { PROXY_SETTINGS } from './proxy-settings.js'
import { RUNTIME_SETTINGS } from './runtime-settings.js'
import { SERVER_SETTINGS } from './server-settings.js'
import type { SettingGroup } from './setting.js'

export const SETTINGS = {
  ...PROXY_SETTINGS,
  ...LIMIT_SETTINGS,
  ...RUNTIME_SETTINGS,
  ...SERVER_SETTINGS,
} as const

export type SettingName = keyof typeof SETTINGS

/** The parsed value of each setting. */
export type SettingValues = {
  -readonly [N in SettingName]?: ReturnType<(typeof SETTINGS)[N]['parse']>
}

/** Settings of which a runtime takes one at most (and, where `required`, exactly one). */
export const SETTING_GROUPS: readonly SettingGroup<SettingName>[] = [
  {
    names: ['PRIVATE_KEY', 'PRIVATE_KEY_FILE'],
    runtimes: ['server'],
    required: true,
    why: 'the server signs client assertions',
  },
  {
    names: ['PRIVATE_KEY_SECRET_ARN', 'KMS_KEY_ID', 'PRIVATE_KEY'],
    runtimes: ['lambda:token'],
    required: true,
    why: 'the token function signs client assertions',
  },
  {
    names: ['PRIVATE_KEY_SECRET_ARN', 'KMS_KEY_ID', 'PRIVATE_KEY'],
    runtimes: ['lambda:authorize'],
    required: false,
    why: 'the authorize function signs pushed authorization requests (PAR) with one key',
  },
  {
    names: ['CLIENT_SECRET_ARN', 'COGNITO_CLIENT_SECRET'],
    runtimes: ['lambda:token'],
    required: true,
    why: "the token function checks Cognito's client secret",
  },
]
