/**
 * The docs against the code they describe, where a drift has happened before: the error-code
 * table in docs/how-it-works.md (every ProxyError code with its default status and OAuth error)
 * and the README's links (every page in docs/ reachable from it).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { ProxyError, type ProxyErrorCode } from '@idp-proxy/core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')

/** The codes of the ProxyErrorCode union, in the order errors.ts declares them. */
function declaredCodes(): ProxyErrorCode[] {
  const source = read('packages/core/src/errors.ts')
  const union = source.slice(
    source.indexOf('export type ProxyErrorCode'),
    source.indexOf('\n\n', source.indexOf('export type ProxyErrorCode')),
  )
  return [...union.matchAll(/\| '(ERR_[A-Z_]+)'/g)].map((match) => match[1] as ProxyErrorCode)
}

test('docs/how-it-works.md lists every error code with its status and OAuth error', () => {
  const codes = declaredCodes()
  assert.ok(codes.length >= 20, `found only ${codes.length} codes in errors.ts`)
  const rows = new Map(
    [
      ...read('docs/how-it-works.md').matchAll(/^\| `(ERR_[A-Z_]+)` +\| (\d+) +\| `(\w+)` +\|/gm),
    ].map((match) => [match[1], { status: Number(match[2]), error: match[3] }]),
  )
  for (const code of codes) {
    const error = new ProxyError(code, 'for the docs')
    assert.equal(rows.get(code), { status: error.status, error: error.error }, code)
  }
  assert.equal(
    [...rows.keys()].filter((code) => !codes.includes(code as ProxyErrorCode)),
    [],
    'codes in the docs that errors.ts does not declare',
  )
})

test('the README links every page in docs/', () => {
  const readme = read('README.md')
  const pages = readdirSync(new URL('../../docs', import.meta.url)).filter((name) =>
    name.endsWith('.md'),
  )
  assert.ok(pages.length > 5)
  assert.equal(
    pages.filter((page) => !readme.includes(`(docs/${page})`)),
    [],
    'pages the README does not link',
  )
  assert.ok(readme.includes('(docs/idps/)'), 'the README links docs/idps/')
})

test.run()
