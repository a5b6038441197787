/**
 * End to end in a real browser (Debian's chromium through playwright-core) in FAPI 2.0 mode, as
 * `pnpm start --fapi` runs it: the Cognito stand-in, the proxy (PAR, DPoP, ID-token decryption,
 * /userinfo) and oidc-provider in its FAPI 2.0 profile, on free ports. What the stand-in ends
 * with is checked as Cognito checks it: the ID token against the IdP's own jwks_uri, issuer and
 * audience, its nonce against the one the IdP was given, and the claims from the proxy's
 * /userinfo (Cognito's attributes_url). "Each piece alone" runs in dev/test/fapi-proxy.test.ts
 * without a browser, and here once each in the browser.
 */
import { existsSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { type Browser, chromium, type Page } from 'playwright-core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { StandinSignIn } from '../src/cognito-standin.js'
import { type FapiKeySet, generateFapiKeys } from '../src/fapi-keys.js'
import type { FapiPieces } from '../src/fapi-local.js'
import { type LocalRun, startLocal } from '../src/local.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

let browser: Browser
// One key set per algorithm for the file: an RSA key per test only costs time.
let es256: FapiKeySet
let ps256: FapiKeySet

test.before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`)
  }
  ;[es256, ps256, browser] = await Promise.all([
    generateFapiKeys('ES256'),
    generateFapiKeys('PS256'),
    chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }),
  ])
})

test.after(async () => {
  await browser?.close()
})

interface Seen {
  /** Every URL the browser requested. */
  urls: string[]
  /** What the stand-in got from each sign-in. */
  signIns: StandinSignIn[]
  /** The nonce of each authorization code the IdP issued. */
  nonces: (string | undefined)[]
}

async function withFapiRun(
  keys: FapiKeySet,
  fapi: FapiPieces,
  body: (run: LocalRun, page: Page, seen: Seen) => Promise<void>,
  store: 'memory' | 'sealed' = 'memory',
) {
  const seen: Seen = { urls: [], signIns: [], nonces: [] }
  const [run, context] = await Promise.all([
    startLocal({
      idp: 'fapi',
      fapi,
      fapiKeys: keys,
      store,
      onSignIn: (result) => seen.signIns.push(result),
    }),
    browser.newContext(),
  ])
  run.fapi?.provider.on('authorization_code.saved', (code: { nonce?: string }) => {
    seen.nonces.push(code.nonce)
  })
  try {
    const page = await context.newPage()
    page.on('request', (request) => seen.urls.push(request.url()))
    await body(run, page, seen)
  } finally {
    await context.close()
    await run.close()
  }
}

/** Stand-in -> Sign in -> proxy -> the IdP's login (no consent page) -> the stand-in's result. */
async function signIn(run: LocalRun, page: Page): Promise<number> {
  const user = run.users[0]!
  const started = performance.now()
  await page.goto(run.urls.standin)
  await page.click('#sign-in')
  await page.waitForSelector('#username')
  assert.ok(page.url().startsWith(`${run.issuer}/interaction/`), page.url())
  await page.fill('#username', user.username)
  await page.fill('#password', user.password)
  await page.click('#login')
  await page.waitForSelector('#result')
  return performance.now() - started
}

/** What Cognito would accept: a verifiable ID token with the IdP's nonce, and the claims. */
async function assertCognitoGotIt(run: LocalRun, page: Page, seen: Seen, alg = 'ES256') {
  assert.ok(page.url().startsWith(`${run.urls.standin}oauth2/idpresponse?`), page.url())
  assert.is(await page.textContent('#result'), 'Signed in')
  const user = run.users[0]!
  assert.is(seen.signIns.length, 1)
  const got = seen.signIns[0]!
  // A signed JWS (not the IdP's JWE), checked here independently of the stand-in.
  assert.is(got.idToken.split('.').length, 3)
  assert.is(decodeProtectedHeader(got.idToken).alg, alg)
  const { payload } = await jwtVerify(got.idToken, createRemoteJWKSet(new URL(run.fapi!.jwksUri)), {
    issuer: run.issuer,
    audience: run.clientId,
  })
  assert.is(payload.sub, user.sub)
  // Cognito sends no nonce: the proxy did, and it is the one the IdP bound to the code.
  assert.is(seen.nonces.length, 1)
  assert.type(payload.nonce, 'string')
  assert.is(payload.nonce, seen.nonces[0])
  // The claims from the proxy's /userinfo, as the page shows them too.
  const userinfo = got.userinfo as Record<string, unknown>
  assert.is(userinfo.sub, user.sub)
  assert.is(userinfo.email, user.email)
  assert.is(userinfo.given_name, user.givenName)
  const shown = JSON.parse((await page.textContent('#userinfo')) ?? 'null') as Record<
    string,
    unknown
  >
  assert.equal(shown, userinfo)
}

/** The one authorization request the browser carried to the IdP. */
function atIdp(run: LocalRun, seen: Seen): URL {
  const url = seen.urls.find((u) => u.startsWith(`${run.idp.authorizationEndpoint}?`))
  assert.ok(url, 'the browser reached the IdP')
  return new URL(url)
}

test('FAPI 2.0, ES256: PAR + DPoP + encrypted ID token, userinfo from the proxy', async () => {
  await withFapiRun(es256, {}, async (run, page, seen) => {
    const ms = await signIn(run, page)
    await assertCognitoGotIt(run, page, seen)
    // Pushed: the browser carried client_id and request_uri only.
    assert.equal([...atIdp(run, seen).searchParams.keys()].sort(), ['client_id', 'request_uri'])
    assert.ok(seen.urls.some((url) => url.startsWith(`${run.proxy.callback}?`)))
    console.log(`  one FAPI 2.0 sign-in in the browser (ES256): ${ms.toFixed(0)} ms`)
  })
})

test('FAPI 2.0, PS256 client assertions: the same sign-in', async () => {
  await withFapiRun(ps256, {}, async (run, page, seen) => {
    await signIn(run, page)
    await assertCognitoGotIt(run, page, seen)
    assert.ok(atIdp(run, seen).searchParams.has('request_uri'))
  })
})

test('FAPI 2.0 with the sealed store (STORE=sealed): the DPoP key travels sealed', async () => {
  await withFapiRun(
    es256,
    {},
    async (run, page, seen) => {
      await signIn(run, page)
      await assertCognitoGotIt(run, page, seen)
    },
    'sealed',
  )
})

test('each piece alone in the browser: PAR only', async () => {
  await withFapiRun(es256, { dpop: false, encryption: false }, async (run, page, seen) => {
    await signIn(run, page)
    await assertCognitoGotIt(run, page, seen)
    assert.ok(atIdp(run, seen).searchParams.has('request_uri'))
  })
})

test('each piece alone in the browser: DPoP only (dpop_jkt, no PAR)', async () => {
  await withFapiRun(es256, { par: false, encryption: false }, async (run, page, seen) => {
    await signIn(run, page)
    await assertCognitoGotIt(run, page, seen)
    const params = atIdp(run, seen).searchParams
    assert.ok(params.has('dpop_jkt'))
    assert.not.ok(params.has('request_uri'))
  })
})

test('each piece alone in the browser: encrypted ID token only', async () => {
  await withFapiRun(es256, { par: false, dpop: false }, async (run, page, seen) => {
    await signIn(run, page)
    await assertCognitoGotIt(run, page, seen)
    const params = atIdp(run, seen).searchParams
    assert.not.ok(params.has('request_uri'))
    assert.not.ok(params.has('dpop_jkt'))
  })
})

test('bypassing the proxy: the FAPI IdP refuses an authorization request that was not pushed', async () => {
  await withFapiRun(es256, {}, async (run, page) => {
    await page.goto(run.urls.standin)
    await page.click('#sign-in-direct')
    await page.waitForSelector('#result')
    assert.ok(page.url().startsWith(`${run.urls.standin}oauth2/idpresponse?`), page.url())
    assert.is(await page.textContent('#result'), 'The IdP refused the sign-in')
    const error = JSON.parse((await page.textContent('#error')) ?? 'null') as Record<string, string>
    assert.is(error.error, 'invalid_request')
  })
})

test.run()
