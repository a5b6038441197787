/**
 * Summarises a V8 .cpuprofile (from `pnpm bench --profile`): self time by function and by
 * package, so a missed target points at code. Usage:
 *   node --import tsx src/profile-top.ts results/profiles/CPU.*.cpuprofile [rows]
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

const [file, rowsArg] = process.argv.slice(2)
if (!file) {
  process.stderr.write('usage: profile-top.ts <file.cpuprofile> [rows]\n')
  process.exit(2)
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const rows = Number(rowsArg ?? 25)

const timeById = new Map<number, number>()
profile.samples.forEach((id, index) => {
  timeById.set(id, (timeById.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0))
})
const total = [...timeById.values()].reduce((sum, value) => sum + value, 0)

/** The package (or node: module) a script URL belongs to. */
function packageOf(url: string): string {
  if (!url) return '(native/vm)'
  if (url.startsWith('node:')) return url.split('/')[0] ?? url
  const inModules = url.lastIndexOf('node_modules/')
  if (inModules >= 0) {
    const [scopeOrName, name] = url.slice(inModules + 'node_modules/'.length).split('/')
    return scopeOrName?.startsWith('@') ? `${scopeOrName}/${name}` : (scopeOrName ?? url)
  }
  const inRepo = url.match(/\/(packages\/[^/]+|bench)\//)
  return inRepo?.[1] ?? url
}

const byFunction = new Map<string, number>()
const byPackage = new Map<string, number>()
for (const node of profile.nodes) {
  const time = timeById.get(node.id) ?? 0
  if (!time) continue
  const { functionName, url, lineNumber } = node.callFrame
  const where = url ? `${url.split('/').slice(-2).join('/')}:${lineNumber + 1}` : ''
  const name = `${functionName || '(anonymous)'} ${where}`.trim()
  byFunction.set(name, (byFunction.get(name) ?? 0) + time)
  byPackage.set(packageOf(url), (byPackage.get(packageOf(url)) ?? 0) + time)
}

// Inclusive time: a function's own samples plus its callees' (each node counted once per name).
const byInclusive = new Map<string, number>()
const nodeById = new Map(profile.nodes.map((node) => [node.id, node]))
const labelOf = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame
  return `${functionName || '(anonymous)'} ${url ? `${url.split('/').slice(-2).join('/')}:${lineNumber + 1}` : ''}`.trim()
}
function subtree(node: ProfileNode, seen: Set<string>): number {
  const label = labelOf(node)
  let time = timeById.get(node.id) ?? 0
  const first = !seen.has(label)
  seen.add(label)
  for (const child of node.children ?? []) {
    const next = nodeById.get(child)
    if (next) time += subtree(next, seen)
  }
  if (first) {
    seen.delete(label)
    byInclusive.set(label, (byInclusive.get(label) ?? 0) + time)
  }
  return time
}
const root = profile.nodes[0]
if (root) subtree(root, new Set())

const print = (title: string, table: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`)
  for (const [name, time] of [...table].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    process.stdout.write(`${((time / total) * 100).toFixed(1).padStart(6)} %  ${name}\n`)
  }
}
process.stdout.write(`${file}: ${(total / 1e6).toFixed(2)} s sampled\n`)
print('self time by function', byFunction)
print('self time by package', byPackage)
print('inclusive time by function', byInclusive)
