import { silentLogger } from '@idp-proxy/core'
import { generatePrivateJwk } from './keys.js'
import { AUTHORIZE_PATH, benchProxy, PROXY_ORIGIN } from './proxy-setup.js'

const p = benchProxy(await generatePrivateJwk('ES256'), { logger: silentLogger })
await p.ready()
const url = new URL(AUTHORIZE_PATH, PROXY_ORIGIN).href
const rounds = Number(process.argv[2] ?? 3)
for (let r = 0; r < rounds; r++) {
  const n = 30000,
    c = process.cpuUsage()
  for (let i = 0; i < n; i++) await p.handle(new Request(url))
  const u = process.cpuUsage(c)
  console.log(`cpu ${((u.user + u.system) / n).toFixed(1)} µs/op`)
}
