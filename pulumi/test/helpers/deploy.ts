// One `pulumi up` of the program under the mocks, in its own process (mocks are process-wide):
// the stack config comes as JSON in argv[2] (keys without the project prefix); prints every
// resource's inputs and resulting state as JSON, secrets as { "secret": value }, archives as
// { "archive": path }.
import * as pulumi from '@pulumi/pulumi'
import { isSecretBox, runProgram, useMocks } from './mocks.js'

const session = await useMocks(JSON.parse(process.argv[2] ?? '{}') as Record<string, string>)
const outputs = await runProgram(session, () => import('../../program.js'))
for (const output of Object.values(outputs)) await new Promise((done) => output.apply(done))
await pulumi.runtime.disconnect()

async function plain(value: unknown): Promise<unknown> {
  if (isSecretBox(value)) return { secret: await plain(value.value) }
  if (value instanceof pulumi.asset.FileArchive) return { archive: await value.path }
  if (Array.isArray(value)) return Promise.all(value.map(plain))
  if (typeof value === 'object' && value !== null) {
    const entries = await Promise.all(
      Object.entries(value).map(async ([key, item]) => [key, await plain(item)] as const),
    )
    return Object.fromEntries(entries)
  }
  return value
}
const resources = await Promise.all(
  session.resources.map(async (resource) => ({
    type: resource.type,
    name: resource.name,
    inputs: await plain(resource.inputs),
    state: await plain(resource.state),
  })),
)
process.stdout.write(JSON.stringify(resources))
