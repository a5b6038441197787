import type { Decrypter } from '../fapi/jwe.js'
import type { Jwks, KeySource, PublishedJwk } from './key-source.js'

/**
 * A key source whose decryption keys come from elsewhere: e.g. signing with a Secrets Manager
 * key and decrypting with KMS keys. The JWKS publishes the source's keys, then the decrypters'
 * public halves (`use: "enc"`), skipping any kid the source already publishes. `decrypters` is
 * called once; a failure is not kept, so the next call tries again.
 */
export function withDecrypters(
  source: KeySource,
  decrypters: () => Promise<readonly Decrypter[]>,
): KeySource {
  let loaded: Promise<readonly Decrypter[]> | undefined
  const load = () => {
    loaded ??= decrypters().catch((error: unknown) => {
      loaded = undefined
      throw error
    })
    return loaded
  }
  return {
    signer: () => source.signer(),
    async publicJwks(): Promise<Jwks<PublishedJwk>> {
      const [own, extra] = await Promise.all([source.publicJwks(), load()])
      const kids = new Set(own.keys.map((key) => key.kid))
      return {
        keys: [...own.keys, ...extra.filter((d) => !kids.has(d.kid)).map((d) => d.publicJwk())],
      }
    },
    async decrypters() {
      const [own, extra] = await Promise.all([source.decrypters?.() ?? [], load()])
      return [...own, ...extra]
    },
  }
}
