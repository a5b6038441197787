/**
 * The guard scripts/test.mjs runs on every passing suite's output: error-level JSON log lines
 * and warnings are found however a terminal styled them, and ordinary output is left alone.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
// @ts-expect-error: a plain .mjs script of the workspace, without type declarations
import { noiseLines, withoutEscapes } from '../../scripts/noise.mjs'

const find = noiseLines as (text: string) => string[]
const ESC = '\u001b'

test('error-level JSON log lines are found, plain or coloured', () => {
  const line = '{"time":"2026-12-01T22:17:25.017Z","level":"error","event":"request_failed"}'
  assert.equal(find(`ok\n${line}\nmore`), [line])
  assert.equal(find(`{"level": "error", "event":"x"}`), ['{"level": "error", "event":"x"}'])
  // Colours, a cursor move and an OSC title inside the words the guard looks for.
  const styled = `{"level":"${ESC}[31mer${ESC}[0mror${ESC}[39m","event":"x"}`
  assert.equal(find(styled), ['{"level":"error","event":"x"}'])
  assert.equal(find(`{"lev${ESC}[2Kel":"err${ESC}]0;title\u0007or"}`), ['{"level":"error"}'])
})

test("Node's, npm's and libraries' warnings are found", () => {
  const warnings = [
    '(node:4242) Warning: Setting the NODE_TLS_REJECT_UNAUTHORIZED environment variable…',
    '(node:4242) [DEP0040] DeprecationWarning: The `punycode` module is deprecated.',
    '(node:4242) ExperimentalWarning: Type Stripping is an experimental feature',
    '(node:4242) MaxListenersExceededWarning: Possible EventEmitter memory leak detected.',
    '(node:4242) NodeVersionSupportWarning: The AWS SDK for JavaScript (v3) will no longer support Node.js v20',
    'oidc-provider WARNING: a quick start development-only signing keys are used',
    'npm warn deprecated glob@7.2.3: Glob versions prior to v9 are no longer supported',
  ]
  assert.equal(find(warnings.join('\r\n')), warnings)
  assert.equal(find(`(node:1) ${ESC}[33mWarn${ESC}[39ming: x`), ['(node:1) Warning: x'])
})

test('ordinary output is not noise: warn-level lines, uvu summaries, timings', () => {
  const quiet = [
    '{"level":"warn","event":"request","code":"ERR_IDP_REFUSED"}',
    '{"level":"info","event":"request","status":200}',
    `${ESC}[32m  Passed:    12${ESC}[39m`,
    '  one full sign-in in the browser (PKCE, memory store): 1943 ms',
    'a test named "warns when the key is weak"',
  ]
  assert.equal(find(quiet.join('\n')), [])
  assert.is(withoutEscapes(`${ESC}[1m${ESC}[4mfile.test.ts${ESC}[22m${ESC}[24m`), 'file.test.ts')
})

test.run()
