/**
 * Pulumi mocks for the program's tests: every registered resource is recorded (type, name,
 * inputs), computed outputs get plausible AWS values, and any invoke the program makes that is
 * not answered here fails the test. One test file per process (setMocks is process-wide).
 */
import { fileURLToPath } from 'node:url'
import * as pulumi from '@pulumi/pulumi'

export const PROJECT = 'idp-proxy'
export const STACK = 'dev'
export const REGION = 'eu-west-1'
export const ACCOUNT = '123456789012'
export const FIXTURE_BUNDLES = fileURLToPath(new URL('../fixtures/bundles', import.meta.url))

// How @pulumi/pulumi marks a secret in serialized properties (runtime/rpc.ts).
const SIG_KEY = '4dabf18193072939515e22adb298388d'
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270'

export interface RecordedResource {
  type: string
  name: string
  inputs: Record<string, unknown>
}

export interface SecretBox {
  value: unknown
}

export function isSecretBox(value: unknown): value is SecretBox {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
  )
}

/** The value with every secret marker removed (deeply). */
export function reveal(value: unknown): unknown {
  if (isSecretBox(value)) return reveal(value.value)
  if (Array.isArray(value)) return value.map(reveal)
  if (typeof value === 'object' && value !== null && !(value instanceof pulumi.asset.Archive)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, reveal(item)]))
  }
  return value
}

/** Answers for the invokes the program is allowed to make; anything else throws. */
const CALLS: Record<string, Record<string, unknown>> = {
  'aws:index/getRegion:getRegion': {
    id: REGION,
    name: REGION,
    region: REGION,
    endpoint: `ec2.${REGION}.amazonaws.com`,
    description: 'Europe (Ireland)',
  },
  'aws:index/getCallerIdentity:getCallerIdentity': {
    id: ACCOUNT,
    accountId: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:user/test`,
    userId: 'AIDATEST',
  },
  'aws:index/getPartition:getPartition': {
    id: 'aws',
    partition: 'aws',
    dnsSuffix: 'amazonaws.com',
    reverseDnsPrefix: 'com.amazonaws',
  },
}

function computed(type: string, name: string, id: string): Record<string, unknown> {
  const service = type.split(':')[1] ?? 'unknown'
  const arn = `arn:aws:${service}:${REGION}:${ACCOUNT}:${name}`
  switch (type) {
    case 'aws:apigatewayv2/api:Api':
      return {
        arn,
        apiEndpoint: `https://${id}.execute-api.${REGION}.amazonaws.com`,
        executionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${id}`,
      }
    case 'aws:cloudwatch/logGroup:LogGroup':
      return {
        arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}-generated`,
        name: `${name}-generated`,
      }
    case 'aws:dynamodb/table:Table':
      return {
        arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}-generated`,
        name: `${name}-generated`,
      }
    case 'aws:secretsmanager/secret:Secret':
      return { arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf` }
    case 'aws:kms/key:Key':
      return { arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`, keyId: id }
    case 'aws:lambda/function:Function':
      return {
        arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}-generated`,
        name: `${name}-generated`,
        invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/functions/${name}/invocations`,
      }
    case 'aws:iam/role:Role':
      return { arn: `arn:aws:iam::${ACCOUNT}:role/${name}-generated`, name: `${name}-generated` }
    case 'random:index/randomPassword:RandomPassword':
      return { result: 'generated-shared-secret-0123456789abcdefghijklmnop' }
    default:
      return { arn }
  }
}

export interface MockSession {
  /** Every resource registered so far (providers excluded). */
  resources: RecordedResource[]
  /** The invoke tokens the program called. */
  calls: string[]
}

/**
 * Installs the mocks with `config` (keys without the project prefix) as the stack's config.
 * Call before importing the program or creating resources.
 */
export async function useMocks(
  config: Record<string, string>,
  secretKeys: string[] = [],
): Promise<MockSession> {
  const session: MockSession = { resources: [], calls: [] }
  const prefixed = Object.fromEntries(
    Object.entries(config).map(([key, value]) => [`${PROJECT}:${key}`, value]),
  )
  pulumi.runtime.setAllConfig(
    prefixed,
    secretKeys.map((key) => `${PROJECT}:${key}`),
  )
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const id = `${args.name}-id`
        if (!args.type.startsWith('pulumi:providers:')) {
          session.resources.push({ type: args.type, name: args.name, inputs: args.inputs })
        }
        return { id, state: { ...args.inputs, ...computed(args.type, args.name, id) } }
      },
      call(args) {
        session.calls.push(args.token)
        const answer = CALLS[args.token]
        if (!answer) throw new Error(`unmocked invoke ${args.token}`)
        return answer
      },
    },
    PROJECT,
    STACK,
    false,
  )
  return session
}

/** Resolves an Output's value (and whether it is secret) in a test. */
export function settle<T>(output: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
  return new Promise((resolve, reject) => {
    pulumi.isSecret(output).then((secret) => {
      output.apply((value) => {
        resolve({ value, secret })
        return value
      })
    }, reject)
  })
}

/**
 * Waits until every pending registration reached the mocks. `waitForRPCs` is @internal in
 * @pulumi/pulumi's typings but exported at run time; it is how `disconnect` drains the queue.
 */
export async function drain(): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }
  if (typeof runtime.waitForRPCs !== 'function')
    throw new Error('pulumi.runtime.waitForRPCs is gone')
  await runtime.waitForRPCs()
}

export function ofType(session: MockSession, type: string): RecordedResource[] {
  return session.resources.filter((resource) => resource.type === type)
}

export function one(session: MockSession, type: string, name: string): RecordedResource {
  const found = session.resources.find(
    (resource) => resource.type === type && resource.name === name,
  )
  if (!found)
    throw new Error(
      `no ${type} named ${name}; have ${session.resources.map((r) => `${r.type} ${r.name}`).join(', ')}`,
    )
  return found
}

export interface ParsedPolicy {
  Version: string
  Statement: {
    Sid?: string
    Effect: string
    Action: string | string[]
    Resource: string | string[]
  }[]
}

export function parsePolicy(resource: RecordedResource): ParsedPolicy {
  const policy = reveal(resource.inputs.policy)
  if (typeof policy !== 'string') throw new Error(`${resource.name}: policy is not a JSON string`)
  return JSON.parse(policy) as ParsedPolicy
}

export function actionsOf(policy: ParsedPolicy): string[] {
  return policy.Statement.flatMap((statement) => [statement.Action].flat())
}

export function resourcesOf(policy: ParsedPolicy): string[] {
  return policy.Statement.flatMap((statement) => [statement.Resource].flat())
}

/** Every string found anywhere in a value, with the path to it (secret markers removed). */
export function stringsIn(
  value: unknown,
  path = '',
): { path: string; text: string; secret: boolean }[] {
  const walk = (
    item: unknown,
    at: string,
    secret: boolean,
  ): { path: string; text: string; secret: boolean }[] => {
    if (isSecretBox(item)) return walk(item.value, at, true)
    if (typeof item === 'string') return [{ path: at, text: item, secret }]
    if (Array.isArray(item))
      return item.flatMap((element, index) => walk(element, `${at}[${index}]`, secret))
    if (typeof item === 'object' && item !== null) {
      return Object.entries(item).flatMap(([key, element]) =>
        walk(element, at ? `${at}.${key}` : key, secret),
      )
    }
    return []
  }
  return walk(value, path, false)
}
