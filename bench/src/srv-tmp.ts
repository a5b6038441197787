import { createServer } from 'node:http'
import { silentLogger } from '@idp-proxy/core'
import { standaloneHandler } from '@idp-proxy/express-adapter'
import { generatePrivateJwk } from './keys.js'
import { benchProxy, listen } from './proxy-setup.js'

const p = benchProxy(
  await generatePrivateJwk('ES256'),
  process.env.SILENT ? { logger: silentLogger } : {},
)
await p.ready()
const port = await listen(createServer(standaloneHandler(p, { logger: silentLogger })))
process.send?.(port)
process.on('SIGTERM', () => process.exit(0))
process.on('disconnect', () => process.exit(0))
