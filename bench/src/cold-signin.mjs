// One cold sign-in in a fresh process, the way one Lambda container serving every route sees it:
// import the bundle (the init phase), then /authorize, /callback and /token, each as an API
// Gateway event. Plain JavaScript: no loader in the measured time. argv: bundle, then a JSON
// object of the three events' inputs; prints one JSON line of milliseconds.
import { pathToFileURL } from 'node:url'

const started = performance.now()
const [bundle, inputJson] = process.argv.slice(2)
const input = JSON.parse(inputJson)
const { handler } = await import(pathToFileURL(bundle).href)
const initMs = performance.now() - started

function event(method, pathAndQuery, body, headers = {}) {
  const [rawPath, rawQueryString = ''] = pathAndQuery.split('?', 2)
  return {
    version: '2.0',
    routeKey: `${method} ${rawPath}`,
    rawPath,
    rawQueryString,
    headers: { host: 'proxy.example.com', 'user-agent': 'bench', ...headers },
    requestContext: {
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'bench',
      },
      requestId: 'bench',
      routeKey: `${method} ${rawPath}`,
      stage: '$default',
      domainName: 'proxy.example.com',
      timeEpoch: Date.now(),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  }
}

function expect(result, status, what) {
  if (result?.statusCode !== status) {
    process.stderr.write(`cold-signin: ${what} answered ${result?.statusCode}: ${result?.body}\n`)
    process.exit(3)
  }
}

const location = (result) => new URL(result.headers?.location ?? result.headers?.Location)
let at = performance.now()
const authorized = await handler(event('GET', input.authorizePath), {})
expect(authorized, 302, '/authorize')
const toIdp = location(authorized)
const authorizeMs = performance.now() - at

// The IdP's answer: its code carries the nonce, so the stub's id_token can hold it.
at = performance.now()
const callbackQuery = new URLSearchParams({
  code: `idp-code.${toIdp.searchParams.get('nonce')}`,
  state: toIdp.searchParams.get('state'),
})
const called = await handler(event('GET', `/callback?${callbackQuery}`), {})
expect(called, 302, '/callback')
const callbackMs = performance.now() - at

at = performance.now()
const form = new URLSearchParams(input.tokenForm)
form.set('code', location(called).searchParams.get('code'))
const tokens = await handler(
  event('POST', '/token', form.toString(), { 'content-type': 'application/x-www-form-urlencoded' }),
  {},
)
expect(tokens, 200, '/token')
const tokenMs = performance.now() - at
process.stdout.write(`${JSON.stringify({ initMs, authorizeMs, callbackMs, tokenMs })}\n`)
process.exit(0)
