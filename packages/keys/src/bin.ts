#!/usr/bin/env node
/** `idp-proxy-keys` / `pnpm keys`: see cli/help.ts for the commands. */
import { runCli } from './cli/run.js'

// The root script `pnpm keys` runs in the workspace root; pnpm passes the user's directory in
// INIT_CWD, and relative paths must mean what the user typed.
const viaRootScript = process.env.npm_lifecycle_event === 'keys'
const cwd = (viaRootScript && process.env.INIT_CWD) || process.cwd()

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd,
  readStdin,
  program: viaRootScript ? 'pnpm keys' : 'idp-proxy-keys',
})
