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
  /** What the mocked cloud holds afterwards: the inputs, computed outputs, the cloud's additions. */
  state: Record<string, unknown>
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

function computed(
  type: string,
  name: string,
  id: string,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
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
    case 'aws:cognito/identityProvider:IdentityProvider':
      // What Cognito does: it adds this key to an OIDC provider's details (pulumi-aws#679).
      return {
        providerDetails: {
          ...(inputs.providerDetails as Record<string, unknown>),
          attributes_url_add_attributes: 'false',
        },
      }
    default:
      return { arn }
  }
}

/** A resource's options as the program gave them (recorded by a legacy transformation). */
export interface RecordedOptions {
  type: string
  name: string
  /** The parent's types from the top, as in a URN (the root stack left out). */
  parentTypes: string[]
  protect: boolean
  retainOnDelete: boolean
  deleteBeforeReplace: boolean
  ignoreChanges: string[]
  aliasNames: string[]
  /** The arguments as given to the resource, before Pulumi serializes them (Outputs intact). */
  props: Record<string, unknown>
}

export interface MockSession {
  /** Every resource registered so far (providers and the root stack excluded). */
  resources: RecordedResource[]
  /** The invoke tokens the program called. */
  calls: string[]
  /** Options of every resource created with `transformation` in effect. */
  options: RecordedOptions[]
  /**
   * Records each resource's options. Pulumi's `transforms` run in the engine, which mocks do
   * not have; the older `transformations` run in the SDK, so they see every child under mocks.
   */
  transformation: pulumi.ResourceTransformation
}

/**
 * Installs the mocks with `config` (keys without the project prefix) as the stack's config.
 * Call before importing the program or creating resources.
 */
export async function useMocks(
  config: Record<string, string>,
  secretKeys: string[] = [],
): Promise<MockSession> {
  const parents = new Map<pulumi.Resource, string[]>()
  const options: RecordedOptions[] = []
  const transformation: pulumi.ResourceTransformation = (args) => {
    const parent = args.opts.parent
    const parentTypes = parent ? (parents.get(parent) ?? []) : []
    if (args.type !== 'pulumi:pulumi:Stack') {
      parents.set(args.resource, [...parentTypes, args.type])
    }
    const opts = args.opts as pulumi.CustomResourceOptions
    options.push({
      type: args.type,
      name: args.name,
      parentTypes,
      protect: opts.protect === true,
      retainOnDelete: opts.retainOnDelete === true,
      deleteBeforeReplace: opts.deleteBeforeReplace === true,
      ignoreChanges: opts.ignoreChanges ?? [],
      aliasNames: (opts.aliases ?? []).flatMap((alias) =>
        typeof alias === 'object' && 'name' in alias && typeof alias.name === 'string'
          ? [alias.name]
          : [],
      ),
      props: args.props as Record<string, unknown>,
    })
    return undefined
  }
  const session: MockSession = { resources: [], calls: [], options, transformation }
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
        const state = { ...args.inputs, ...computed(args.type, args.name, id, args.inputs) }
        if (!args.type.startsWith('pulumi:providers:') && args.type !== 'pulumi:pulumi:Stack') {
          session.resources.push({ type: args.type, name: args.name, inputs: args.inputs, state })
        }
        return { id, state }
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
 * Waits until every pending registration reached the mocks, then disconnects (Pulumi's public
 * `runtime.disconnect`): create no resource afterwards.
 */
export async function drain(): Promise<void> {
  await pulumi.runtime.disconnect()
}

/**
 * Runs a Pulumi program module under the mocks as the language host does: inside the root
 * stack, with the session's transformation on every resource. Returns its default export.
 */
export async function runProgram(
  session: MockSession,
  load: () => Promise<{ default: Record<string, pulumi.Output<unknown>> }>,
): Promise<Record<string, pulumi.Output<unknown>>> {
  let outputs: Record<string, pulumi.Output<unknown>> = {}
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation(session.transformation)
    outputs = (await load()).default
    return outputs
  })
  return outputs
}

/** The URN a recorded resource has in a deployed stack (top-level resources name no parent). */
export function urnOf(stack: string, options: RecordedOptions, name = options.name): string {
  const types = [...options.parentTypes, options.type].join('$')
  return `urn:pulumi:${stack}::${PROJECT}::${types}::${name}`
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
