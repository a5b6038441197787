import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { authorizationUrl } from '../src/routes/authorize.js'

test('authorizationUrl: what setting each parameter on the parsed endpoint gives', () => {
  const params = new URLSearchParams([
    ['client_id', 'c'],
    ['scope', 'openid email'],
    ['state', `${'x'.repeat(600)}+/=é`],
    ['prompt', 'login'],
  ])
  const endpoints = [
    'https://idp.example.com/authorize',
    'https://idp.example.com/oauth2/v1/authorize?tenant=a%20b&prompt=none',
    'https://idp.example.com:8443/authorize?acr=1#ignored-by-idps',
    'https://idp.example.com/authorize',
    'https://user@idp.example.com/a%2Fb?',
  ]
  for (const endpoint of endpoints) {
    const target = new URL(endpoint)
    for (const [name, value] of params) target.searchParams.set(name, value)
    assert.is(authorizationUrl(endpoint, params), target.href, endpoint)
  }
})

test.run()
