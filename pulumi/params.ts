/**
 * Parsers for the two map-valued options. Pulumi project config has no object type, so both are
 * strings: `authorizationParams` in the same two forms as the proxy's AUTHORIZATION_PARAMS
 * variable (a JSON object, or `a=1&b=2`), `attributeMapping` as a JSON object.
 */

import { DEFAULT_ATTRIBUTE_MAPPING } from './src/idp-proxy.js'

type Fail = (problem: string) => Error

/**
 * Parameters the proxy owns on the way to the IdP: a configured value would break the flow. The
 * same list as core's RESERVED_AUTHORIZATION_PARAMS (core refuses them too).
 */
export const RESERVED_AUTHORIZATION_PARAMS = [
  'client_id',
  'redirect_uri',
  'state',
  'response_type',
  'code_challenge',
  'code_challenge_method',
] as const

function stringRecord(text: string, fail: Fail): Record<string, string> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw fail('is not valid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail('must be a JSON object')
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw fail(`"${key}" must be a string`)
  }
  return value as Record<string, string>
}

/** Extra authorization parameters, e.g. `acr_values=http://idmanagement.gov/ns/assurance/ial/1`. */
export function parseAuthorizationParams(text: string, fail: Fail): Record<string, string> {
  const trimmed = text.trim()
  if (!trimmed) return {}
  const params = trimmed.startsWith('{')
    ? stringRecord(trimmed, fail)
    : Object.fromEntries(new URLSearchParams(trimmed))
  for (const name of Object.keys(params)) {
    if ((RESERVED_AUTHORIZATION_PARAMS as readonly string[]).includes(name)) {
      throw fail(`cannot set "${name}" (the proxy sets it)`)
    }
  }
  return params
}

export function parseAttributeMapping(text: string, fail: Fail): Record<string, string> {
  const trimmed = text.trim()
  if (!trimmed) return { ...DEFAULT_ATTRIBUTE_MAPPING }
  return stringRecord(trimmed, fail)
}
