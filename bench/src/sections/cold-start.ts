/**
 * Lambda cold start: each bundle's size, and the whole life of a fresh `node` process that
 * imports it (the init phase) — and, separately, that also answers one first request against
 * local stubs (SDK clients built, first DynamoDB / Secrets Manager / IdP calls). Side by side with
 * the seed's init (Python importing boto3 and creating a DynamoDB and a Secrets Manager client at
 * module scope) and bare `node -e 0`, interleaved round by round; medians.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import type { FlowRecord } from '@idp-proxy/core'
import {
  type ClosableStore,
  isSkipped,
  LAMBDA_FUNCTIONS,
  type LambdaFunction,
  lambdaBundle,
  loadDynamoStore,
} from '../adapters.js'
import { buildColdParts, COLD_PARTS, LAZY_PART } from '../cold-parts.js'
import { generatePrivateJwk } from '../keys.js'
import { httpApiEvent } from '../lambda-event.js'
import {
  AUTHORIZE_PATH,
  CLIENT_ID,
  CLIENT_SECRET,
  listen,
  PROXY_ORIGIN,
  REDIRECT_URI,
  TOKEN_FORM,
} from '../proxy-setup.js'
import { fmt, type Row, type SectionResult, signed, skipped } from '../report.js'
import { startDynalite } from '../services.js'
import { median } from '../stats.js'
import { idpStub } from '../stubs/idp-stub.js'
import { secretsManagerStub } from '../stubs/secrets-manager-stub.js'

const SECTION = 'cold start'
const HERE = join(dirname(fileURLToPath(import.meta.url)), '..')
const SYSTEM_PYTHON = '/usr/bin/python3'
const SEED_INIT = [
  'import boto3',
  "dynamodb = boto3.client('dynamodb')",
  "secrets = boto3.client('secretsmanager')",
].join('\n')
const KEY_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-private-key'
const CLIENT_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-client-secret'
const TARGET = 0.35

interface Command {
  name: string
  command: string
  args: string[]
  env?: Record<string, string>
}

/** Wall time from spawn to exit, in ms; throws if the process fails. */
function timeProcess(command: Command): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(command.command, command.args, {
      env: { ...process.env, ...command.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6
      if (code === 0) resolve(ms)
      else
        reject(
          new Error(
            `${command.name} exited ${code}: ${stderr.trim().split('\n').slice(0, 8).join(' ')}`,
          ),
        )
    })
  })
}

function pythonSkipReason(): string | undefined {
  if (!existsSync(SYSTEM_PYTHON)) return `${SYSTEM_PYTHON} not found (Debian python3)`
  if (pythonBoto3Version() === '?')
    return `boto3 missing for ${SYSTEM_PYTHON} (apt-get install -y python3-boto3)`
  return undefined
}

export async function coldStartSection(options: { runs: number }): Promise<SectionResult> {
  const rows: Row[] = []
  const data: Record<string, unknown> = {}
  const commands: Command[] = [{ name: 'node -e 0', command: process.execPath, args: ['-e', '0'] }]

  const noPython = pythonSkipReason()
  if (!noPython) {
    commands.push({
      name: 'seed init',
      command: SYSTEM_PYTHON,
      args: ['-c', SEED_INIT],
      env: {
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
      },
    })
  }

  // Local stand-ins for what the first request calls.
  const dynalite = await startDynalite()
  const sm = secretsManagerStub(
    {
      [KEY_ARN]: JSON.stringify(await generatePrivateJwk('RS256-2048')),
      [CLIENT_SECRET_ARN]: CLIENT_SECRET,
    },
    0,
  )
  const idp = idpStub()
  const smPort = await listen(sm)
  const idpPort = await listen(idp)
  let store: ClosableStore | { skipped: string } = {
    skipped: typeof dynalite === 'string' ? dynalite : 'not loaded',
  }
  if (typeof dynalite !== 'string') store = await loadDynamoStore(dynalite.url)

  const env: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    // The SDK's notice about Node 20 is not part of a Lambda cold start on Node 22.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    PROXY_BASE_URL: PROXY_ORIGIN,
    IDP_CLIENT_ID: CLIENT_ID,
    IDP_ISSUER: `http://127.0.0.1:${idpPort}`,
    IDP_AUTHORIZATION_ENDPOINT: `http://127.0.0.1:${idpPort}/authorize`,
    IDP_TOKEN_ENDPOINT: `http://127.0.0.1:${idpPort}/token`,
    ALLOW_INSECURE_HTTP: 'true',
    COGNITO_REDIRECT_URIS: REDIRECT_URI,
    PKCE: 'true',
    STORE: 'dynamodb',
    FLOW_TABLE_NAME: 'bench-flows',
    PRIVATE_KEY_SECRET_ARN: KEY_ARN,
    CLIENT_SECRET_ARN,
    LOG_LEVEL: 'warn',
    ...(typeof dynalite === 'string' ? {} : { AWS_ENDPOINT_URL_DYNAMODB: dynalite.url }),
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${smPort}`,
  }

  const invoke = join(HERE, 'cold-invoke.mjs')
  const bundles: Partial<Record<LambdaFunction, { path: string; bytes: number; gzip: number }>> = {}
  const firstRequest: Partial<Record<LambdaFunction | 'lazy', () => Promise<Command>>> = {}
  for (const name of LAMBDA_FUNCTIONS) {
    const bundle = lambdaBundle(name)
    if (isSkipped(bundle)) {
      rows.push(skipped(SECTION, `${name} init`, bundle.skipped))
      continue
    }
    bundles[name] = { ...bundle, gzip: gzipSync(readFileSync(bundle.path), { level: 9 }).length }
    commands.push({
      name: `${name} init`,
      command: process.execPath,
      args: [invoke, bundle.path],
      env,
    })
    if (!isSkipped(store)) {
      const flows = store.store
      firstRequest[name] = async () => {
        const { event, expected } = await firstEvent(name, (record) => flows.save(record, 600))
        return {
          name: `${name} first request`,
          command: process.execPath,
          args: [invoke, bundle.path, JSON.stringify(event), String(expected)],
          env,
        }
      }
    }
  }

  const parts = await buildColdParts()
  if (isSkipped(parts)) rows.push(skipped(SECTION, 'init parts', parts.skipped))
  else {
    for (const part of COLD_PARTS) {
      commands.push({
        name: `part ${part}`,
        command: process.execPath,
        args: [invoke, parts.paths[part]],
        env,
      })
    }
    const lazy = parts.paths[LAZY_PART]
    commands.push({ name: 'lazy init', command: process.execPath, args: [invoke, lazy], env })
    if (!isSkipped(store)) {
      firstRequest.lazy = async () => {
        const { event, expected } = await firstEvent('authorize', async () => '')
        return {
          name: 'lazy first request',
          command: process.execPath,
          args: [invoke, lazy, JSON.stringify(event), String(expected)],
          env,
        }
      }
    }
  }

  const samples: Record<string, number[]> = {}
  try {
    // One round first to warm the page cache; not counted.
    for (let round = 0; round <= options.runs; round++) {
      const planned = [...commands]
      for (const make of Object.values(firstRequest)) planned.push(await make())
      for (const command of planned) {
        const ms = await timeProcess(command)
        if (round === 0) continue
        samples[command.name] ??= []
        samples[command.name]?.push(ms)
      }
    }
  } finally {
    if (!isSkipped(parts)) parts.remove()
    if (!isSkipped(store)) await store.close()
    if (typeof dynalite !== 'string') await dynalite.stop()
    sm.close()
    idp.close()
  }

  const medians = Object.fromEntries(
    Object.entries(samples).map(([name, values]) => [name, median(values)]),
  )
  const seed = medians['seed init']
  const floor = medians['node -e 0'] as number
  data.runs = options.runs
  data.samplesMs = samples
  data.mediansMs = medians
  data.bundles = bundles

  if (seed === undefined)
    rows.push(skipped(SECTION, 'seed init (Python + boto3)', noPython ?? 'not measured'))
  else {
    rows.push({
      section: SECTION,
      measure: `seed init: python3 + boto3 ${pythonBoto3Version()} + 2 clients`,
      ours: `${fmt(seed, 0)} ms`,
      status: 'info',
    })
  }
  rows.push({
    section: SECTION,
    measure: 'floor: node -e 0',
    ours: `${fmt(floor, 0)} ms`,
    ...(seed ? { baseline: `${fmt(seed, 0)} ms seed`, compare: `${fmt(floor / seed)}x` } : {}),
    status: 'info',
  })
  for (const name of LAMBDA_FUNCTIONS) {
    const bundle = bundles[name]
    const init = medians[`${name} init`]
    if (!bundle || init === undefined) continue
    const ratio = seed ? init / seed : Number.NaN
    rows.push({
      section: SECTION,
      measure: `${name}: init (${fmt(bundle.bytes / 1024, 0)} KB, ${fmt(bundle.gzip / 1024, 0)} KB gzip)`,
      ours: `${fmt(init, 0)} ms`,
      ...(seed ? { baseline: `${fmt(seed, 0)} ms seed` } : {}),
      compare: seed ? `${fmt(ratio)}x` : 'n/a',
      target: `<= ${TARGET}x`,
      status: seed ? (ratio <= TARGET ? 'met' : 'missed') : 'skipped',
    })
    const first = medians[`${name} first request`]
    if (first !== undefined) {
      rows.push({
        section: SECTION,
        measure: `${name}: init + first request (local stubs)`,
        ours: `${fmt(first, 0)} ms`,
        compare: `${fmt(first - init, 0)} ms for the first request`,
        status: 'info',
      })
    }
  }
  // Where init goes: the same bundling applied to core alone and to one SDK client alone.
  for (const part of COLD_PARTS) {
    const ms = medians[`part ${part}`]
    if (ms === undefined) continue
    rows.push({
      section: SECTION,
      measure: `  part: ${part} alone, bundled the same way`,
      ours: `${fmt(ms, 0)} ms`,
      compare: `${signed(ms - floor, 0)} ms over node -e 0${seed ? `; ${fmt(ms / seed)}x seed` : ''}`,
      status: 'info',
    })
  }
  const lazyInit = medians['lazy init']
  if (lazyInit !== undefined) {
    const lazyFirst = medians['lazy first request']
    rows.push({
      section: SECTION,
      measure: '  authorize, SDK loaded on first use (prototype of a fix)',
      ours: `${fmt(lazyInit, 0)} ms init`,
      ...(seed ? { baseline: `${fmt(seed, 0)} ms seed` } : {}),
      compare: `${seed ? `${fmt(lazyInit / seed)}x` : 'n/a'}${lazyFirst === undefined ? '' : `; init + first request ${fmt(lazyFirst, 0)} ms`}`,
      status: 'info',
    })
  }
  return { rows, data }
}

/** One event per function that runs its whole first-request path, with the record it needs. */
async function firstEvent(
  name: LambdaFunction,
  save: (record: FlowRecord) => Promise<string>,
): Promise<{ event: ReturnType<typeof httpApiEvent>; expected: number }> {
  const verifier = 'v'.repeat(43)
  switch (name) {
    case 'authorize':
      return { event: httpApiEvent('GET', AUTHORIZE_PATH), expected: 302 }
    case 'callback': {
      const state = await save({
        kind: 'authorize',
        state: 'cognito-state',
        redirectUri: REDIRECT_URI,
        verifier,
      })
      return {
        event: httpApiEvent('GET', `/callback?${new URLSearchParams({ code: 'idp-code', state })}`),
        expected: 302,
      }
    }
    case 'token': {
      const code = await save({
        kind: 'code',
        code: 'idp-code',
        redirectUri: REDIRECT_URI,
        verifier,
      })
      const form = new URLSearchParams(TOKEN_FORM)
      form.set('code', code)
      return {
        event: httpApiEvent('POST', '/token', form.toString(), {
          'content-type': 'application/x-www-form-urlencoded',
        }),
        expected: 200,
      }
    }
  }
}

let boto3Version: string | undefined
function pythonBoto3Version(): string {
  try {
    boto3Version ??= execFileSync(SYSTEM_PYTHON, ['-c', 'import boto3; print(boto3.__version__)'])
      .toString()
      .trim()
  } catch {
    boto3Version = '?'
  }
  return boto3Version
}
