// A fresh process's whole life for the cold-start figures: import a Lambda bundle (its init
// phase) and, when given an event, answer that one event (what the first request adds: building
// the SDK clients, the first calls), then exit. Plain JavaScript: no loader in the measured time.
import { pathToFileURL } from 'node:url'

const [bundle, eventJson, expected] = process.argv.slice(2)
const module = await import(pathToFileURL(bundle).href)
if (eventJson) {
  const result = await module.handler(JSON.parse(eventJson), {})
  if (String(result?.statusCode) !== expected) {
    process.stderr.write(
      `cold-invoke: ${bundle} answered ${result?.statusCode}, expected ${expected}\n`,
    )
    process.exit(3)
  }
}
process.exit(0)
