/**
 * A stand-in for the Pulumi engine's resource monitor, a gRPC server on 127.0.0.1, so a test can
 * start the program the way the Pulumi CLI's Node.js language host does (`node <nodeargs>
 * @pulumi/pulumi/cmd/run --monitor ... --pwd <main> .`) without the CLI. It records each
 * registration, answers getRegion, and echoes inputs back as outputs with a few computed fields.
 */
import { realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { ACCOUNT, REGION } from './mocks.js'

// Load gRPC and the generated protobuf classes from @pulumi/pulumi's own dependencies, so the
// message classes are the very ones its service definition serializes.
const sdkManifest = realpathSync(
  fileURLToPath(new URL('../../node_modules/@pulumi/pulumi/package.json', import.meta.url)),
)
const sdkRequire = createRequire(sdkManifest)

interface ProtoMessage {
  [method: string]: (...args: unknown[]) => unknown
}
type MessageClass = new () => ProtoMessage
type Handler = (
  call: { request: ProtoMessage },
  callback: (error: Error | null, reply?: unknown) => void,
) => void
interface GrpcServer {
  addService(service: unknown, handlers: Record<string, Handler>): void
  bindAsync(
    address: string,
    credentials: unknown,
    done: (error: Error | null, port: number) => void,
  ): void
  tryShutdown(done: () => void): void
}

const grpc = sdkRequire('@grpc/grpc-js') as {
  Server: new () => GrpcServer
  ServerCredentials: { createInsecure(): unknown }
}
const services = sdkRequire('./proto/resource_grpc_pb.js') as { ResourceMonitorService: unknown }
const resourceProto = sdkRequire('./proto/resource_pb.js') as Record<string, MessageClass>
const providerProto = sdkRequire('./proto/provider_pb.js') as Record<string, MessageClass>
const { Struct } = sdkRequire('google-protobuf/google/protobuf/struct_pb.js') as {
  Struct: { fromJavaScript(value: unknown): unknown }
}
const { Empty } = sdkRequire('google-protobuf/google/protobuf/empty_pb.js') as {
  Empty: MessageClass
}

export interface Registration {
  type: string
  name: string
  urn: string
  custom: boolean
  /** Inputs in their wire form (secrets and archives as signature objects). */
  inputs: Record<string, unknown>
}

export interface FakeMonitor {
  address: string
  registrations: Registration[]
  invokes: string[]
  /** registerResourceOutputs by URN (the stack's outputs are under the pulumi:pulumi:Stack URN). */
  outputs: Map<string, Record<string, unknown>>
  close(): Promise<void>
}

const INVOKES: Record<string, Record<string, unknown>> = {
  'aws:index/getRegion:getRegion': {
    id: REGION,
    name: REGION,
    region: REGION,
    description: '',
    endpoint: '',
  },
}

function computed(type: string, name: string, id: string): Record<string, unknown> {
  switch (type) {
    case 'aws:apigatewayv2/api:Api':
      return {
        apiEndpoint: `https://${id}.execute-api.${REGION}.amazonaws.com`,
        executionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${id}`,
      }
    case 'random:index/randomPassword:RandomPassword':
      return { result: 'fake-monitor-generated-secret-0123456789abcdef' }
    default:
      return {
        arn: `arn:aws:${type.split(':')[1]}:${REGION}:${ACCOUNT}:${name}`,
        name: `${name}-generated`,
      }
  }
}

export async function startFakeMonitor(): Promise<FakeMonitor> {
  const registrations: Registration[] = []
  const invokes: string[] = []
  const outputs = new Map<string, Record<string, unknown>>()
  const server = new grpc.Server()
  const supported = new Set(['secrets', 'resourceReferences'])

  const handlers: Record<string, Handler> = {
    supportsFeature({ request }, callback) {
      const response = new resourceProto.SupportsFeatureResponse!()
      response.setHassupport!(supported.has(String(request.getId!())))
      callback(null, response)
    },
    registerResource({ request }, callback) {
      const type = String(request.getType!())
      const name = String(request.getName!())
      const parent = String(request.getParent!() ?? '')
      const custom = Boolean(request.getCustom!())
      const inputs = ((
        request.getObject!() as { toJavaScript(): Record<string, unknown> } | undefined
      )?.toJavaScript() ?? {}) as Record<string, unknown>
      const qualified = parent ? `${parent.split('::')[2]}$${type}` : type
      const urn = `urn:pulumi:dev::idp-proxy::${qualified}::${name}`
      registrations.push({ type, name, urn, custom, inputs })
      const id = custom ? `${name}-id` : ''
      const response = new resourceProto.RegisterResourceResponse!()
      response.setUrn!(urn)
      response.setId!(id)
      response.setObject!(
        Struct.fromJavaScript(custom ? { ...inputs, ...computed(type, name, id) } : {}),
      )
      callback(null, response)
    },
    registerResourceOutputs({ request }, callback) {
      const struct = request.getOutputs!() as
        | { toJavaScript(): Record<string, unknown> }
        | undefined
      outputs.set(String(request.getUrn!()), struct?.toJavaScript() ?? {})
      callback(null, new Empty())
    },
    invoke({ request }, callback) {
      const token = String(request.getTok!())
      invokes.push(token)
      const answer = INVOKES[token]
      if (!answer) return callback(new Error(`fake monitor: unexpected invoke ${token}`))
      const response = new providerProto.InvokeResponse!()
      response.setReturn!(Struct.fromJavaScript(answer))
      callback(null, response)
    },
  }
  server.addService(services.ResourceMonitorService, handlers)
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  )
  return {
    address: `127.0.0.1:${port}`,
    registrations,
    invokes,
    outputs,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  }
}
