/**
 * The development IdP's storage: one Map per IdP instance, entries expire. (oidc-provider's own
 * in-memory adapter is shared by every provider in the process and warns loudly at start.)
 */
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider'

interface Entry {
  payload: AdapterPayload
  expires: number
}

export function memoryAdapter(now: () => number = Date.now): AdapterFactory {
  const entries = new Map<string, Entry>()
  const live = (key: string): AdapterPayload | undefined => {
    const entry = entries.get(key)
    if (!entry) return undefined
    if (entry.expires <= now()) {
      entries.delete(key)
      return undefined
    }
    return entry.payload
  }
  const findBy = (model: string, field: 'uid' | 'userCode', value: string) => {
    for (const key of entries.keys()) {
      const payload = key.startsWith(`${model}:`) ? live(key) : undefined
      if (payload?.[field] === value) return payload
    }
    return undefined
  }

  return (model: string): Adapter => ({
    async upsert(id, payload, expiresIn) {
      const expires = expiresIn ? now() + expiresIn * 1000 : Number.POSITIVE_INFINITY
      entries.set(`${model}:${id}`, { payload, expires })
    },
    async find(id) {
      return live(`${model}:${id}`)
    },
    async findByUid(uid) {
      return findBy(model, 'uid', uid)
    },
    async findByUserCode(userCode) {
      return findBy(model, 'userCode', userCode)
    },
    async consume(id) {
      const payload = live(`${model}:${id}`)
      if (payload) payload.consumed = Math.floor(now() / 1000)
    },
    async destroy(id) {
      entries.delete(`${model}:${id}`)
    },
    async revokeByGrantId(grantId) {
      for (const [key, entry] of entries) if (entry.payload.grantId === grantId) entries.delete(key)
    },
  })
}
