/**
 * End to end in a real browser (Debian's chromium through playwright-core): the Cognito
 * stand-in, the proxy and the development IdP, as `pnpm start` runs them, on free ports.
 * One browser for the file; each test has its own local run and browser context.
 */
import { existsSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import type { PrivateJwk } from '@idp-proxy/core'
import { type Browser, chromium, type Page } from 'playwright-core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { generateDevKey } from '../src/dev-key.js'
import { type LocalOptions, type LocalRun, startLocal } from '../src/local.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ACR = 'urn:idp-proxy:dev:mfa'

let browser: Browser
// One proxy key for the file: generating an RSA key per test only costs time.
let key: PrivateJwk

test.before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`)
  }
  key = await generateDevKey()
  browser = await chromium.launch({
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
  })
})

test.after(async () => {
  await browser?.close()
})

/** A local run and a fresh browser context (its own cookies), both closed after `body`. */
async function withRun(options: LocalOptions, body: (run: LocalRun, page: Page) => Promise<void>) {
  const [run, context] = await Promise.all([startLocal({ key, ...options }), browser.newContext()])
  try {
    await body(run, await context.newPage())
  } finally {
    await context.close()
    await run.close()
  }
}

/** Stand-in -> Sign in -> the IdP's login -> consent -> back at the stand-in's result page. */
async function signIn(run: LocalRun, page: Page, via: 'proxy' | 'direct' = 'proxy'): Promise<void> {
  const user = run.users[0]!
  await page.goto(run.urls.standin)
  await page.click(via === 'proxy' ? '#sign-in' : '#sign-in-direct')
  await page.waitForSelector('#username')
  assert.ok(page.url().startsWith(`${run.issuer}/interaction/`), page.url())
  await page.fill('#username', user.username)
  await page.fill('#password', user.password)
  await page.click('#login')
  await page.click('#allow')
  await page.waitForSelector('#result')
}

async function shownJson(page: Page, selector: string): Promise<Record<string, unknown>> {
  return JSON.parse((await page.textContent(selector)) ?? 'null')
}

async function assertSignedIn(run: LocalRun, page: Page): Promise<Record<string, unknown>> {
  assert.ok(page.url().startsWith(`${run.urls.standin}oauth2/idpresponse?`), page.url())
  assert.is(await page.textContent('#result'), 'Signed in')
  const claims = await shownJson(page, '#claims')
  const user = run.users[0]!
  assert.is(claims.sub, user.sub)
  assert.is(claims.iss, run.issuer)
  assert.is(claims.aud, run.clientId)
  assert.is(claims.email, user.email)
  const userinfo = await shownJson(page, '#userinfo')
  assert.is(userinfo.sub, user.sub)
  assert.is(userinfo.email, user.email)
  return claims
}

/** The origins of every request the browser makes (to show which hops it took). */
function recordOrigins(page: Page): string[] {
  const urls: string[] = []
  page.on('request', (request) => urls.push(request.url()))
  return urls
}

test('PKCE on, memory store: signs in through the proxy and shows the ID token claims', async () => {
  await withRun({}, async (run, page) => {
    const seen = recordOrigins(page)
    const started = performance.now()
    await signIn(run, page)
    const ms = performance.now() - started
    await assertSignedIn(run, page)
    // The browser went stand-in -> proxy /authorize -> IdP -> proxy /callback -> stand-in.
    assert.ok(seen.some((url) => url.startsWith(`${run.proxy.authorize}?`)))
    const atIdp = seen.find((url) => url.startsWith(`${run.idp.authorizationEndpoint}?`))
    assert.ok(atIdp, 'the browser reached the IdP')
    const params = new URL(atIdp).searchParams
    assert.is(params.get('code_challenge_method'), 'S256')
    assert.is(params.get('redirect_uri'), run.proxy.callback)
    assert.ok(seen.some((url) => url.startsWith(`${run.proxy.callback}?`)))
    console.log(`  one full sign-in in the browser (PKCE, memory store): ${ms.toFixed(0)} ms`)
  })
})

test('PKCE off: the browser goes to the IdP directly; only /token goes through the proxy', async () => {
  await withRun({ pkce: false }, async (run, page) => {
    const seen = recordOrigins(page)
    await signIn(run, page)
    await assertSignedIn(run, page)
    assert.not.ok(
      seen.some((url) => url.startsWith(run.urls.proxy)),
      'no browser request to the proxy',
    )
    const atIdp = seen.find((url) => url.startsWith(`${run.idp.authorizationEndpoint}?`))
    assert.ok(atIdp)
    assert.is(new URL(atIdp).searchParams.get('code_challenge'), null)
  })
})

test('sealed store: the same sign-in with no server-side flow state', async () => {
  await withRun({ store: 'sealed' }, async (run, page) => {
    await signIn(run, page)
    await assertSignedIn(run, page)
  })
})

test('bypassing the proxy: the IdP refuses an authorization request without PKCE', async () => {
  await withRun({}, async (run, page) => {
    await page.goto(run.urls.standin)
    await page.click('#sign-in-direct')
    await page.waitForSelector('#result')
    assert.ok(page.url().startsWith(`${run.urls.standin}oauth2/idpresponse?`), page.url())
    assert.is(await page.textContent('#result'), 'The IdP refused the sign-in')
    const error = await shownJson(page, '#error')
    assert.is(error.error, 'invalid_request')
    assert.match(String(error.error_description), /PKCE/)
  })
})

test('bypassing the proxy: the IdP refuses client_secret_post at its token endpoint', async () => {
  // PKCE off, so the IdP lets the browser sign in; the stand-in then asks the IdP for tokens
  // with its client secret, as Cognito would without the proxy.
  await withRun({ pkce: false }, async (run, page) => {
    await signIn(run, page, 'direct')
    assert.is(await page.textContent('#result'), 'The token request was refused')
    const error = await shownJson(page, '#error')
    assert.is(error.error, 'invalid_client')
  })
  // And the same request straight from here, with a code the IdP never issued.
  await withRun({}, async (run) => {
    const response = await fetch(run.idp.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'not-a-code',
        redirect_uri: `${run.urls.standin}oauth2/idpresponse`,
        client_id: run.clientId,
        client_secret: 'a-cognito-style-client-secret',
      }),
    })
    assert.is(response.status, 401)
    assert.is(((await response.json()) as { error: string }).error, 'invalid_client')
  })
})

test('IdP requiring acr_values: the proxy adds them from AUTHORIZATION_PARAMS', async () => {
  await withRun(
    { idpRequireAcr: ACR, authorizationParams: { acr_values: ACR } },
    async (run, page) => {
      await signIn(run, page)
      const claims = await assertSignedIn(run, page)
      assert.is(claims.acr, ACR)
    },
  )
})

test('IdP requiring acr_values: refused when the proxy does not send them', async () => {
  await withRun({ idpRequireAcr: ACR }, async (run, page) => {
    await page.goto(run.urls.standin)
    await page.click('#sign-in')
    await page.waitForSelector('#result')
    // The IdP redirected its error to the proxy, which passed it on to the stand-in.
    assert.ok(page.url().startsWith(`${run.urls.standin}oauth2/idpresponse?`), page.url())
    const error = await shownJson(page, '#error')
    assert.is(error.error, 'invalid_request')
    assert.match(String(error.error_description), /acr_values/)
  })
})

test("the proxy's error page: styled under its strict CSP, no console errors, Go back works", async () => {
  await withRun({}, async (run, page) => {
    const problems: string[] = []
    page.on('console', (message) => {
      // Chromium also reports the 400 status itself ("Failed to load resource"): that is the point.
      const text = message.text()
      if (/^Failed to load resource/.test(text)) return
      if (message.type() === 'error' || message.type() === 'warning') problems.push(text)
    })
    page.on('pageerror', (error) => problems.push(error.message))
    await page.goto(run.urls.standin)
    // An authorization request for a client the proxy does not serve: its own 400 page.
    const refused = await page.goto(`${run.proxy.authorize}?client_id=someone-else&state=s`)
    assert.is(refused?.status(), 400)
    assert.is(await page.textContent('#error-code'), 'ERR_UNKNOWN_CLIENT')
    assert.match((await page.textContent('#message')) ?? '', /^[A-Z].*\.$/)
    // The inline stylesheet applied (a CSP that blocked it would leave the banner unstyled).
    const banner = await page.$eval(
      '.banner',
      (element) => getComputedStyle(element).backgroundColor,
    )
    assert.is(banner, 'rgb(31, 78, 121)')
    assert.equal(problems, [], 'no CSP violation or script error')
    // The nonce-bearing script showed the link; it goes back in the browser's history.
    await page.click('#back')
    await page.waitForURL(run.urls.standin)
    assert.ok(await page.isVisible('#sign-in'))
  })
})

test.run()
