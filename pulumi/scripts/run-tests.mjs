#!/usr/bin/env node
// Runs each test/*.test.ts in its own `node --import tsx` process with uvu. Pulumi's mocks are
// process-wide (a second setMocks silently replaces the first, and uvu imports every file into
// one process before running), so one process per file keeps each file's mocks its own.
// Prints each file's uvu output (the root runner sums the Total/Passed lines) and exits non-zero
// if any file fails. Usage: node scripts/run-tests.mjs [name-filter]
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const uvuBin = join(dirname(dirname(createRequire(import.meta.url).resolve('uvu'))), 'bin.js')
const filter = process.argv[2] ?? ''
const files = readdirSync(join(root, 'test'))
  .filter((file) => file.endsWith('.test.ts') && file.includes(filter))
  .sort()

if (files.length === 0) {
  console.error(`no test files match "${filter}"`)
  process.exit(1)
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function runFile(file) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', uvuBin, 'test', `(^|/)${escapeRegExp(file)}$`],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: process.env },
    )
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
    })
    child.stderr.on('data', (chunk) => {
      out += chunk
    })
    child.on('close', (code, signal) => resolve({ file, code: code ?? 1, signal, out }))
  })
}

// A few files at a time (each spends ~1.5 s importing @pulumi/*); output stays per file.
const limit = Math.max(1, Math.min(4, availableParallelism()))
const results = new Array(files.length)
let next = 0
async function worker() {
  while (next < files.length) {
    const index = next++
    results[index] = await runFile(files[index])
  }
}
await Promise.all(Array.from({ length: limit }, worker))

const failed = []
for (const { file, code, signal, out } of results) {
  process.stdout.write(`\n--- pulumi/test/${file}\n${out}`)
  if (code !== 0) failed.push(`${file} (${signal ?? `exit ${code}`})`)
}
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`)
  process.exit(1)
}
