// The program under mocks with a FAPI profile in the stack configuration: the keys reach the
// component (the /userinfo routes, attributes_url at the proxy, the profile in each function's
// environment, the signing key at /authorize for PAR) and the outputs name the new URL.
import type * as pulumi from '@pulumi/pulumi'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  drain,
  FIXTURE_BUNDLES,
  one,
  reveal,
  runProgram,
  settle,
  useMocks,
} from './helpers/mocks.js'

const session = await useMocks({
  issuer: 'https://stg-id.singpass.example/fapi',
  clientId: 'singpass-client',
  idpAuthorizationEndpoint: 'https://stg-id.singpass.example/fapi/auth',
  idpTokenEndpoint: 'https://stg-id.singpass.example/fapi/token',
  idpUserinfoEndpoint: 'https://stg-id.singpass.example/fapi/userinfo',
  idpJwksUri: 'https://stg-id.singpass.example/fapi/jwks',
  domainPrefix: 'fapi-program',
  callbackUrls: JSON.stringify(['https://app.example.com/auth/callback']),
  lambdaFunctions: 'per-route',
  lambdaBundleDir: FIXTURE_BUNDLES,
  idpProfile: 'singpass',
  idpParEndpoint: 'https://stg-id.singpass.example/fapi/par',
  attributesRequestMethod: 'POST',
})
const program = (await runProgram(session, () => import('../program.js'))) as Record<
  string,
  pulumi.Output<string>
>
for (const output of Object.values(program)) await settle(output)
await drain()

const env = (fn: string) =>
  (
    reveal(one(session, 'aws:lambda/function:Function', `idp-proxy-${fn}`).inputs.environment) as {
      variables: Record<string, string>
    }
  ).variables

test('idpProfile singpass: /userinfo served, Cognito calls it with POST, outputs name it', async () => {
  const routes = session.resources
    .filter((r) => r.type === 'aws:apigatewayv2/route:Route')
    .map((r) => r.inputs.routeKey)
  assert.ok(routes.includes('POST /userinfo') && routes.includes('GET /userinfo'), String(routes))
  const details = reveal(
    one(session, 'aws:cognito/identityProvider:IdentityProvider', 'idp-proxy-idp').inputs
      .providerDetails,
  ) as Record<string, string>
  const userinfoUrl = (await settle(program.userinfoUrl as pulumi.Output<string>)).value
  assert.match(userinfoUrl, /\/v1\/userinfo$/)
  assert.is(details.attributes_url, userinfoUrl)
  assert.is(details.attributes_request_method, 'POST')
})

test('the FAPI keys reach each function that reads them; /authorize gets the key for PAR', () => {
  for (const fn of ['authorize', 'callback', 'token']) {
    assert.is(env(fn).IDP_PROFILE, 'singpass', fn)
    assert.is(env(fn).IDP_PAR_ENDPOINT, 'https://stg-id.singpass.example/fapi/par', fn)
  }
  assert.ok(env('authorize').PRIVATE_KEY_SECRET_ARN, 'the authorize function signs PAR')
  assert.not.ok('PRIVATE_KEY_SECRET_ARN' in env('callback'))
  assert.not.ok('CLIENT_SECRET_ARN' in env('authorize'))
})

test.run()
