/**
 * The attribute mapping: Pulumi project config has no object type, so it is a string holding a
 * JSON object of strings, read with the same parser as the proxy's map-valued settings.
 * (`authorizationParams` is a proxy setting: config.ts reads it with the settings table.)
 */
import { SettingProblem, stringMap } from '@idp-proxy/core'
import { DEFAULT_ATTRIBUTE_MAPPING } from './src/idp-proxy.js'

type Fail = (problem: string) => Error

export function parseAttributeMapping(text: string, fail: Fail): Record<string, string> {
  const trimmed = text.trim()
  if (!trimmed) return { ...DEFAULT_ATTRIBUTE_MAPPING }
  // JSON only: the query-string form of the proxy's settings would turn a typo into a mapping.
  if (!trimmed.startsWith('{')) throw fail('must be a JSON object')
  try {
    return stringMap(trimmed, { allowInsecureHttp: false })
  } catch (error) {
    if (error instanceof SettingProblem) throw fail(error.message)
    throw error
  }
}
