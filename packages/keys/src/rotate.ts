/**
 * Rotation without downtime, in two steps over the key set's order (keys are oldest first), for
 * signing keys and, separately, for encryption keys (`use: "enc"`):
 *
 *  - `rotate` appends a new key after the active one; the active key keeps signing (or stays the
 *    encryption key published first), and the proxy publishes both public keys, so the new one
 *    can reach the IdP before it is used. A set without a key of that use gets its first one,
 *    active at once.
 *  - `promote` makes the key after the active one (or a named one) active; with `dropOld` it also
 *    removes the keys before it, which is the clean-up once nothing needs the old key any more.
 *    Until then every encryption key keeps decrypting: an IdP may still encrypt to the old one.
 */
import {
  type AnyKeySet,
  invalidOption,
  type PrivateEncryptionJwk,
  type PrivateJwk,
} from '@idp-proxy/core'
import {
  checkAlgorithm,
  checkEncryptionAlgorithm,
  checkUse,
  DEFAULT_ENCRYPTION_ALGORITHM,
  DEFAULT_RSA_BITS,
  generateKey,
  MAX_RSA_BITS,
} from './generate.js'
import { isRsaAlgorithm, type KeyUse, modulusBits } from './jwk-form.js'
import { readKeySet } from './key-set.js'

export interface RotateOptions {
  /** Which keys to rotate: `sig` (default) or `enc`. */
  use?: KeyUse
  /** Algorithm of the new key. Default: the active key's. */
  alg?: string
  /** RSA size of the new key. Default: the active key's size (at least 2048). */
  bits?: number
  /** Curve of a new EC encryption key. Default: the active encryption key's (else P-256). */
  crv?: string
  /** Default: the RFC 7638 thumbprint of the new key. */
  kid?: string
  /**
   * Add this private JWK (e.g. one `importPem` made) instead of generating one; its `use` must
   * be the rotated one. `alg`, `bits`, `crv` and `kid` do not apply then.
   */
  key?: PrivateJwk | PrivateEncryptionJwk
}

export interface RotateResult {
  set: AnyKeySet
  /** The key that keeps signing (or stays first among the encryption keys). */
  activeKid: string
  /** The key added, published now and promoted later (equal to `activeKid` for a first key). */
  nextKid: string
  use: KeyUse
}

type AnyJwk = PrivateJwk | PrivateEncryptionJwk

/** The keys of one use in a set, the active kid among them, and a way to put them back. */
function keysOf(set: AnyKeySet, use: KeyUse) {
  return use === 'enc'
    ? {
        keys: set.encryptionKeys as AnyJwk[],
        activeKid: set.activeEncryptionKid,
        with: (keys: AnyJwk[], activeKid: string): AnyKeySet => ({
          ...set,
          encryptionKeys: keys as PrivateEncryptionJwk[],
          activeEncryptionKid: activeKid,
        }),
      }
    : {
        keys: set.keys as AnyJwk[],
        activeKid: set.activeKid,
        with: (keys: AnyJwk[], activeKid: string): AnyKeySet => ({
          ...set,
          keys: keys as PrivateJwk[],
          activeKid,
        }),
      }
}

const noun = (use: KeyUse) => (use === 'enc' ? 'encryption key' : 'key')

export async function rotate(input: unknown, options: RotateOptions = {}): Promise<RotateResult> {
  const use = checkUse(options.use ?? 'sig')
  const set = readKeySet(input)
  const group = keysOf(set, use)
  const activeIndex = group.keys.findIndex((key) => key.kid === group.activeKid)
  const waiting = activeIndex >= 0 ? group.keys[activeIndex + 1] : undefined
  if (waiting) {
    throw invalidOption(
      'in',
      `the key set already has a next ${noun(use)} "${waiting.kid}" that is not active yet: promote it before adding another`,
    )
  }
  const active = group.keys[activeIndex]
  const next = options.key ? checkGiven(options.key, use) : await newKey(use, active, options)
  if ([...set.keys, ...set.encryptionKeys].some((key) => key.kid === next.kid)) {
    throw invalidOption('kid', `the key set already has a key with kid "${next.kid}"`)
  }
  const activeKid = active?.kid ?? next.kid
  const rotated = group.with([...group.keys, next], activeKid)
  // Re-checked by core as a whole (kids unique across uses, active kids present).
  return { set: readKeySet(rotated), activeKid, nextKid: next.kid, use }
}

function checkGiven(key: AnyJwk, use: KeyUse): AnyJwk {
  const parsed = readKeySet(key)
  const found = use === 'enc' ? parsed.encryptionKeys[0] : parsed.keys[0]
  if (!found) {
    throw invalidOption('key', `is not a ${noun(use)} (its use is "${String(key.use ?? 'sig')}")`)
  }
  return found
}

function newKey(use: KeyUse, active: AnyJwk | undefined, options: RotateOptions): Promise<AnyJwk> {
  const common = {
    ...(options.kid === undefined ? {} : { kid: options.kid }),
    ...(options.bits === undefined ? {} : { bits: options.bits }),
  }
  if (use === 'enc') {
    const alg = checkEncryptionAlgorithm(options.alg ?? active?.alg ?? DEFAULT_ENCRYPTION_ALGORITHM)
    const rsa = alg === 'RSA-OAEP-256'
    const crv = rsa
      ? undefined
      : (options.crv ?? (active?.kty === 'EC' ? (active.crv as string) : undefined))
    return generateKey({
      use: 'enc',
      alg,
      ...common,
      ...(rsa && options.bits === undefined ? { bits: keptBits(active) } : {}),
      ...(crv === undefined ? {} : { crv }),
    })
  }
  if (options.crv !== undefined) {
    throw invalidOption('crv', 'applies to encryption keys only; a signing alg settles its curve')
  }
  const alg = checkAlgorithm(options.alg ?? active?.alg ?? 'RS256')
  return generateKey({
    use: 'sig',
    alg,
    ...common,
    ...(isRsaAlgorithm(alg) && options.bits === undefined ? { bits: keptBits(active) } : {}),
  })
}

/** Keep the current RSA strength (the seed used 4096), within what generate accepts. */
function keptBits(active: AnyJwk | undefined): number {
  const bits = active?.kty === 'RSA' ? modulusBits(active) : undefined
  return Math.min(Math.max(bits ?? DEFAULT_RSA_BITS, DEFAULT_RSA_BITS), MAX_RSA_BITS)
}

export interface PromoteOptions {
  /** Which keys to promote: `sig` (default) or `enc`. */
  use?: KeyUse
  /** The key to make active. Default: the key after the active one. */
  kid?: string
  /** Remove the keys (of that use) before the (new) active one. */
  dropOld?: boolean
}

export interface PromoteResult {
  set: AnyKeySet
  /** The active key before. */
  previousKid: string
  /** The active key now (equal to `previousKid` when only old keys were dropped). */
  activeKid: string
  /** Keys removed by `dropOld`. */
  droppedKids: string[]
  use: KeyUse
}

export function promote(input: unknown, options: PromoteOptions = {}): PromoteResult {
  const use = checkUse(options.use ?? 'sig')
  const set = readKeySet(input)
  const group = keysOf(set, use)
  const activeIndex = group.keys.findIndex((key) => key.kid === group.activeKid)
  if (activeIndex < 0) {
    throw invalidOption('in', `the key set has no ${noun(use)}: there is nothing to promote`)
  }
  let targetIndex: number
  if (options.kid !== undefined) {
    targetIndex = group.keys.findIndex((key) => key.kid === options.kid)
    if (targetIndex < 0) {
      throw invalidOption(
        'kid',
        `no ${noun(use)} with kid "${options.kid}" in the key set (kids: ${kidsOf(group.keys)})`,
      )
    }
    if (targetIndex === activeIndex && !options.dropOld) {
      throw invalidOption('kid', `"${options.kid}" is already the active ${noun(use)}`)
    }
  } else if (activeIndex + 1 < group.keys.length) {
    targetIndex = activeIndex + 1
  } else if (options.dropOld) {
    // Already promoted: only finish the rotation by removing the old keys.
    targetIndex = activeIndex
  } else {
    throw invalidOption(
      'in',
      `the active ${noun(use)} "${group.activeKid}" is the newest ${noun(use)}: there is nothing to promote (run rotate first)`,
    )
  }
  const target = group.keys[targetIndex] as AnyJwk
  if (targetIndex === activeIndex && targetIndex === 0) {
    throw invalidOption(
      'in',
      `the key set holds no ${noun(use)} before the active ${noun(use)} "${target.kid}": nothing to drop`,
    )
  }
  const dropped = options.dropOld ? group.keys.slice(0, targetIndex) : []
  const keys = options.dropOld ? group.keys.slice(targetIndex) : group.keys
  return {
    set: readKeySet(group.with(keys, target.kid)),
    previousKid: group.activeKid as string,
    activeKid: target.kid,
    droppedKids: dropped.map((key) => key.kid),
    use,
  }
}

function kidsOf(keys: AnyJwk[]): string {
  return keys.map((key) => `"${key.kid}"`).join(', ')
}
