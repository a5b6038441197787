// Prints each Lambda bundle's size (raw and gzip) and its cold-import time: the median of 5 fresh
// Node processes that each `await import()` the bundle (which also builds the proxy from a valid
// environment, as the function's init does). CPU time is printed too: it barely moves when the
// machine is busy, wall time does. Run `pnpm build` first.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { pathToFileURL } from 'node:url'
import { bundlePath, formatKb, ROUTES, sizeOf } from './bundles.mjs'

const RUNS = 5
const ENV = {
  PATH: process.env.PATH,
  PROXY_BASE_URL: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/v1',
  IDP_ISSUER: 'https://idp.example.com',
  IDP_CLIENT_ID: 'client-1',
  COGNITO_REDIRECT_URIS: 'https://auth.example.com/oauth2/idpresponse',
  STORE: 'dynamodb',
  FLOW_TABLE_NAME: 'flows',
  PRIVATE_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:key',
  CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cognito',
  AWS_REGION: 'us-east-1',
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

function timeProcess(args) {
  const started = process.hrtime.bigint()
  const out = execFileSync(process.execPath, args, { env: ENV, encoding: 'utf8' })
  return { wallMs: Number(process.hrtime.bigint() - started) / 1e6, out }
}

function coldImport(route) {
  const url = JSON.stringify(pathToFileURL(bundlePath(route)).href)
  const code = `const t = performance.now(); const c = process.cpuUsage()
const m = await import(${url})
if (typeof m.handler !== 'function') process.exit(2)
const u = process.cpuUsage(c)
console.log(performance.now() - t, (u.user + u.system) / 1000)`
  const runs = Array.from({ length: RUNS }, () => {
    const { wallMs, out } = timeProcess(['--input-type=module', '-e', code])
    const [importMs, cpuMs] = out.trim().split('\n').pop().split(' ').map(Number)
    return { wallMs, importMs, cpuMs }
  })
  const pick = (key) => median(runs.map((run) => run[key]))
  return { importMs: pick('importMs'), cpuMs: pick('cpuMs'), wallMs: pick('wallMs') }
}

if (!ROUTES.every((route) => existsSync(bundlePath(route)))) {
  console.error('no bundles: run `pnpm --filter @idp-proxy/lambda-adapter build` first')
  process.exit(1)
}
const baseline = median(Array.from({ length: RUNS }, () => timeProcess(['-e', '0']).wallMs))
console.log(
  `node ${process.version}; bare \`node -e 0\` ${baseline.toFixed(0)} ms; ` +
    `load ${loadavg()[0].toFixed(1)} on ${availableParallelism()} CPUs; medians of ${RUNS} fresh processes`,
)
console.log('bundle                       raw       gzip  import wall  import CPU  process wall')
for (const route of ROUTES) {
  const { raw, gzip } = sizeOf(route)
  const { importMs, cpuMs, wallMs } = coldImport(route)
  console.log(
    `dist/${route}/index.mjs`.padEnd(24) +
      formatKb(raw).padStart(10) +
      formatKb(gzip).padStart(11) +
      `${importMs.toFixed(0)} ms`.padStart(13) +
      `${cpuMs.toFixed(0)} ms`.padStart(12) +
      `${wallMs.toFixed(0)} ms`.padStart(14),
  )
}
