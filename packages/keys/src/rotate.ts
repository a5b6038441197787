/**
 * Rotation without downtime, in two steps over the key set's order (`keys` is oldest first):
 *
 *  - `rotate` appends a new key after the active one; the active key keeps signing, and the proxy
 *    publishes both public keys, so the new one can reach the IdP before it is used.
 *  - `promote` makes the key after the active one (or a named one) active; with `dropOld` it also
 *    removes the keys before it, which is the clean-up once nothing needs the old key any more.
 */
import { invalidOption, type PrivateJwk, type PrivateKeySet } from '@idp-proxy/core'
import { checkAlgorithm, DEFAULT_RSA_BITS, generateKey, MAX_RSA_BITS } from './generate.js'
import { isRsaAlgorithm, modulusBits } from './jwk-form.js'
import { readKeySet } from './key-set.js'

export interface RotateOptions {
  /** Algorithm of the new key. Default: the active key's. */
  alg?: string
  /** RSA size of the new key. Default: the active key's size (at least 2048). */
  bits?: number
  /** Default: the RFC 7638 thumbprint of the new key. */
  kid?: string
}

export interface RotateResult {
  set: PrivateKeySet
  /** The key that keeps signing. */
  activeKid: string
  /** The key added, published now and promoted later. */
  nextKid: string
}

export async function rotate(input: unknown, options: RotateOptions = {}): Promise<RotateResult> {
  const set = readKeySet(input)
  const activeIndex = set.keys.findIndex((key) => key.kid === set.activeKid)
  const waiting = set.keys[activeIndex + 1]
  if (waiting) {
    throw invalidOption(
      'in',
      `the key set already has a next key "${waiting.kid}" that is not active yet: promote it before adding another`,
    )
  }
  const active = set.keys[activeIndex] as PrivateJwk
  const alg = checkAlgorithm(options.alg ?? active.alg)
  let bits = options.bits
  if (bits === undefined && isRsaAlgorithm(alg)) {
    // Keep the current strength (the seed used 4096), within what generate accepts.
    bits = Math.min(
      Math.max(modulusBits(active) ?? DEFAULT_RSA_BITS, DEFAULT_RSA_BITS),
      MAX_RSA_BITS,
    )
  }
  const next = await generateKey({
    alg,
    ...(bits === undefined ? {} : { bits }),
    ...(options.kid === undefined ? {} : { kid: options.kid }),
  })
  if (set.keys.some((key) => key.kid === next.kid)) {
    throw invalidOption('kid', `the key set already has a key with kid "${next.kid}"`)
  }
  return {
    set: { keys: [...set.keys, next], activeKid: set.activeKid },
    activeKid: set.activeKid,
    nextKid: next.kid,
  }
}

export interface PromoteOptions {
  /** The key to make active. Default: the key after the active one. */
  kid?: string
  /** Remove the keys before the (new) active one. */
  dropOld?: boolean
}

export interface PromoteResult {
  set: PrivateKeySet
  /** The active key before. */
  previousKid: string
  /** The active key now (equal to `previousKid` when only old keys were dropped). */
  activeKid: string
  /** Keys removed by `dropOld`. */
  droppedKids: string[]
}

export function promote(input: unknown, options: PromoteOptions = {}): PromoteResult {
  const set = readKeySet(input)
  const activeIndex = set.keys.findIndex((key) => key.kid === set.activeKid)
  let targetIndex: number
  if (options.kid !== undefined) {
    targetIndex = set.keys.findIndex((key) => key.kid === options.kid)
    if (targetIndex < 0) {
      throw invalidOption(
        'kid',
        `no key with kid "${options.kid}" in the key set (kids: ${kidsOf(set)})`,
      )
    }
    if (targetIndex === activeIndex && !options.dropOld) {
      throw invalidOption('kid', `"${options.kid}" is already the active key`)
    }
  } else if (activeIndex + 1 < set.keys.length) {
    targetIndex = activeIndex + 1
  } else if (options.dropOld) {
    // Already promoted: only finish the rotation by removing the old keys.
    targetIndex = activeIndex
  } else {
    throw invalidOption(
      'in',
      `the active key "${set.activeKid}" is the newest key: there is nothing to promote (run rotate first)`,
    )
  }
  const target = set.keys[targetIndex] as PrivateJwk
  if (targetIndex === activeIndex && targetIndex === 0) {
    throw invalidOption(
      'in',
      `the key set holds no key before the active key "${target.kid}": nothing to drop`,
    )
  }
  const dropped = options.dropOld ? set.keys.slice(0, targetIndex) : []
  const keys = options.dropOld ? set.keys.slice(targetIndex) : set.keys
  return {
    set: { keys, activeKid: target.kid },
    previousKid: set.activeKid,
    activeKid: target.kid,
    droppedKids: dropped.map((key) => key.kid),
  }
}

function kidsOf(set: PrivateKeySet): string {
  return set.keys.map((key) => `"${key.kid}"`).join(', ')
}
