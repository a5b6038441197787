/**
 * Figure 1, a cold sign-in: every route cold, init plus first request each, against local
 * stand-ins at fixed latencies (DynamoDB 5 ms, Secrets Manager 10 ms, the IdP 30 ms per call).
 * Ours: the Lambda bundle serving every route (`lambdaFunctions: single`, dist/all) in one fresh
 * process: init, then /authorize, /callback and /token (discovery, the JWKS, the key and client
 * secret from Secrets Manager, the flow table, an id_token signed by the stub and verified).
 * The seed: three cold Python functions, each its real init (`python3` importing boto3 and
 * building its clients) plus its work in the seed model (seed-model.ts; RSA-4096 as the seed).
 * Each round runs ours, then the seed (order reversed every other round); each round's ratio is
 * one pair.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { Server } from 'node:http'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isSkipped, lambdaBundle } from '../adapters.js'
import { generatePrivateJwk } from '../keys.js'
import {
  AUTHORIZE_PATH,
  CLIENT_ID,
  CLIENT_SECRET,
  listen,
  PROXY_ORIGIN,
  REDIRECT_URI,
  TOKEN_FORM,
} from '../proxy-setup.js'
import { fmt, type SectionResult, skipped } from '../report.js'
import { seedColdSignIn } from '../seed-model.js'
import { median, ratioSummary } from '../stats.js'
import { dynamoDbStub } from '../stubs/dynamodb-stub.js'
import { idpStub } from '../stubs/idp-stub.js'
import { secretsManagerStub } from '../stubs/secrets-manager-stub.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const SECTION = 'cold sign-in'
const TARGET = 0.35
export const LATENCY_MS = { dynamoDb: 5, secretsManager: 10, idp: 30 }
const SYSTEM_PYTHON = '/usr/bin/python3'
// What each seed function does at module scope: import boto3, build its clients.
const SEED_INIT = {
  authorize: "import boto3\ndynamodb = boto3.client('dynamodb')",
  callback: "import boto3\ndynamodb = boto3.client('dynamodb')",
  token:
    "import boto3\ndynamodb = boto3.client('dynamodb')\nsecrets = boto3.client('secretsmanager')",
}
const KEY_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-private-key'
const SEED_KEY_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:seed-private-key'
const CLIENT_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-client'
const TABLE = 'bench-flows'

interface OursRun {
  initMs: number
  authorizeMs: number
  callbackMs: number
  tokenMs: number
}

export async function coldSignInSection(options: { rounds: number }): Promise<SectionResult> {
  const bundle = lambdaBundle('all')
  if (isSkipped(bundle)) return { rows: [skipped(SECTION, 'ours', bundle.skipped)], data: {} }
  const python = pythonSkipReason()
  if (python) return { rows: [skipped(SECTION, 'seed', python)], data: {} }

  const ddb = dynamoDbStub(LATENCY_MS.dynamoDb)
  const sm = secretsManagerStub(
    {
      [KEY_ARN]: JSON.stringify(await generatePrivateJwk('RS256-2048')),
      [SEED_KEY_ARN]: JSON.stringify(await generatePrivateJwk('RS256-4096')),
      [CLIENT_SECRET_ARN]: CLIENT_SECRET,
    },
    LATENCY_MS.secretsManager,
  )
  const idpPort = await listen(idpStubAt(LATENCY_MS.idp))
  const issuer = `http://127.0.0.1:${idpPort}`
  const servers: Server[] = [ddb, sm]
  const [ddbPort, smPort] = [await listen(ddb), await listen(sm)]
  const env: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${ddbPort}`,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${smPort}`,
    PROXY_BASE_URL: PROXY_ORIGIN,
    IDP_CLIENT_ID: CLIENT_ID,
    // The issuer alone: discovery is part of the cold path, as in a default deployment.
    IDP_ISSUER: issuer,
    ALLOW_INSECURE_HTTP: 'true',
    COGNITO_REDIRECT_URIS: REDIRECT_URI,
    ADD_NONCE: 'true',
    STORE: 'dynamodb',
    FLOW_TABLE_NAME: TABLE,
    PRIVATE_KEY_SECRET_ARN: KEY_ARN,
    CLIENT_SECRET_ARN,
    LOG_LEVEL: 'warn',
  }
  const input = JSON.stringify({ authorizePath: AUTHORIZE_PATH, tokenForm: TOKEN_FORM })
  const ours = () =>
    runProcess(process.execPath, [join(HERE, '..', 'cold-signin.mjs'), bundle.path, input], env)
  const seedInit = (fn: keyof typeof SEED_INIT) =>
    runProcess(SYSTEM_PYTHON, ['-c', SEED_INIT[fn]], {
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
    })
  const seed = async () => {
    const init = {
      authorize: (await seedInit('authorize')).ms,
      callback: (await seedInit('callback')).ms,
      token: (await seedInit('token')).ms,
    }
    const work = await seedColdSignIn({
      dynamoDbPort: ddbPort,
      tableName: TABLE,
      secretsManagerPort: smPort,
      secretArn: SEED_KEY_ARN,
      idpPort,
      clientId: CLIENT_ID,
    })
    const total =
      init.authorize + init.callback + init.token + work.authorize + work.callback + work.token
    return { init, work, total }
  }

  const oursRuns: (OursRun & { totalMs: number })[] = []
  const seedRuns: Awaited<ReturnType<typeof seed>>[] = []
  try {
    // One round to warm the page cache, not counted.
    await ours()
    await seed()
    for (let round = 0; round < options.rounds; round++) {
      const pair = async () => {
        const run = await ours()
        oursRuns.push({ ...(JSON.parse(run.stdout) as OursRun), totalMs: run.ms })
      }
      if (round % 2 === 0) {
        await pair()
        seedRuns.push(await seed())
      } else {
        seedRuns.push(await seed())
        await pair()
      }
    }
  } finally {
    for (const server of servers) {
      server.closeAllConnections()
      server.close()
    }
    idpServer?.closeAllConnections()
    idpServer?.close()
  }

  const ratios = oursRuns.map((run, i) => run.totalMs / (seedRuns[i]?.total ?? Number.NaN))
  const figure = ratioSummary(ratios)
  const m = (values: number[]) => median(values)
  const oursTotal = m(oursRuns.map((r) => r.totalMs))
  const seedTotal = m(seedRuns.map((r) => r.total))
  const oursParts = {
    processAndInit: m(oursRuns.map((r) => r.totalMs - r.authorizeMs - r.callbackMs - r.tokenMs)),
    importMs: m(oursRuns.map((r) => r.initMs)),
    authorize: m(oursRuns.map((r) => r.authorizeMs)),
    callback: m(oursRuns.map((r) => r.callbackMs)),
    token: m(oursRuns.map((r) => r.tokenMs)),
  }
  const seedParts = {
    init: m(seedRuns.map((r) => r.init.authorize + r.init.callback + r.init.token)),
    work: m(seedRuns.map((r) => r.work.authorize + r.work.callback + r.work.token)),
  }
  return {
    data: {
      latencyMs: LATENCY_MS,
      figure: { ...figure, target: TARGET },
      oursMs: { total: oursTotal, ...oursParts },
      seedMs: { total: seedTotal, ...seedParts },
      rounds: { ours: oursRuns, seed: seedRuns },
    },
    rows: [
      {
        section: SECTION,
        measure: 'one function, fresh process: init + authorize + callback + token (ms)',
        ours: fmt(oursTotal, 0),
        baseline: `${fmt(seedTotal, 0)} seed (3 cold Python functions)`,
        compare: `${fmt(figure.median)}x (${fmt(figure.min)}-${fmt(figure.max)}, n ${figure.n})`,
        target: `<= ${fmt(TARGET)}x`,
        status: figure.median <= TARGET ? 'met' : 'missed',
      },
      {
        section: SECTION,
        measure: 'ours: process start + init / authorize / callback / token (ms)',
        ours: `${fmt(oursParts.processAndInit, 0)} (import ${fmt(oursParts.importMs, 0)}) / ${fmt(oursParts.authorize, 0)} / ${fmt(oursParts.callback, 0)} / ${fmt(oursParts.token, 0)}`,
        baseline: `seed: init ${fmt(seedParts.init, 0)}, work ${fmt(seedParts.work, 0)}`,
        status: 'info',
      },
    ],
  }
}

let idpServer: Server | undefined
function idpStubAt(delayMs: number): Server {
  // The stub learns its issuer from the Host header; discovery names the same origin.
  idpServer = idpStub({ delayMs, discoveryFromHost: true })
  return idpServer
}

function runProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.once('error', reject)
    child.once('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6
      if (code === 0) resolve({ ms, stdout })
      else reject(new Error(`${command} exited ${code}: ${stderr.slice(0, 500)}`))
    })
  })
}

function pythonSkipReason(): string | undefined {
  if (!existsSync(SYSTEM_PYTHON)) return `${SYSTEM_PYTHON} not found (Debian python3)`
  try {
    execFileSync(SYSTEM_PYTHON, ['-c', 'import boto3'], { stdio: 'ignore' })
  } catch {
    return `boto3 missing for ${SYSTEM_PYTHON} (apt-get install -y python3-boto3)`
  }
  return undefined
}
