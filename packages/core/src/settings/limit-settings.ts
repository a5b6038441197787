/**
 * The proxy's bounds on what it reads and keeps (issue 12): the size of the IdP's answers and of
 * the browser's parameters, the id_token check, the memory store's bounds. Part of the settings
 * table (table.ts); each feeds the `createProxy` (or `createMemoryStore`) option it names.
 */
import { boolean, httpsUrl, wholeNumber } from './parsers.js'
import { AUTHORIZE, PROXY, setting, TOKEN } from './setting.js'

/** Where the browser's parameters are read: /authorize and /callback. */
const BROWSER = [...new Set([...AUTHORIZE, 'lambda:callback' as const])]

export const LIMIT_SETTINGS = {
  IDP_MAX_TOKEN_BYTES: setting({
    doc: 'Largest token answer read from the IdP, in bytes after decompression, 4096 to 4194304; past it the read stops and Cognito gets 502',
    parse: wholeNumber(4096, 4_194_304),
    runtimes: TOKEN,
    default: '65536',
    options: ['maxIdpTokenBytes'],
    pulumiKey: 'idpMaxTokenBytes',
  }),
  IDP_MAX_METADATA_BYTES: setting({
    doc: 'Largest discovery document or JWKS read from the IdP, in bytes after decompression, 4096 to 4194304',
    parse: wholeNumber(4096, 4_194_304),
    runtimes: PROXY,
    default: '262144',
    options: ['maxIdpMetadataBytes'],
    pulumiKey: 'idpMaxMetadataBytes',
  }),
  MAX_STATE_BYTES: setting({
    doc: "Longest `state` accepted at `/authorize`, in bytes, 256 to 8192 (Cognito's is about 1-1.5 KB): bounds what each unauthenticated request makes the store hold",
    parse: wholeNumber(256, 8192),
    runtimes: AUTHORIZE,
    default: '2048',
    options: ['maxStateBytes'],
  }),
  MAX_PARAM_BYTES: setting({
    doc: 'Longest value of any other parameter at `/authorize` and `/callback`, in bytes, 64 to 8192',
    parse: wholeNumber(64, 8192),
    runtimes: BROWSER,
    default: '1024',
    options: ['maxParamBytes'],
  }),
  MAX_QUERY_BYTES: setting({
    doc: 'Longest query string at `/authorize` and `/callback`, in bytes, 1024 to 16384',
    parse: wholeNumber(1024, 16_384),
    runtimes: BROWSER,
    default: '8192',
    options: ['maxQueryBytes'],
  }),
  VERIFY_ID_TOKEN: setting({
    doc: "Verify the IdP's `id_token` at `/token` (signature against the IdP's JWKS, `iss`, `aud`, `exp`, and the nonce with PKCE) before Cognito sees it",
    parse: boolean,
    runtimes: TOKEN,
    default: 'true',
    options: ['verifyIdToken'],
    pulumiKey: 'verifyIdToken',
  }),
  IDP_JWKS_URI: setting({
    doc: "The IdP's JWKS URL, for verifying its `id_token` (default: `jwks_uri` from discovery; with both endpoints given, discovery then runs only for it)",
    parse: httpsUrl(),
    runtimes: TOKEN,
    options: ['idp.jwksUri'],
    pulumiKey: 'idpJwksUri',
  }),
  MEMORY_STORE_MAX_CODES: setting({
    doc: 'With `STORE=memory`: most issued codes held at once, 1 to 1000000, in their own bound, so a flood of new sign-ins never evicts a code Cognito is about to redeem',
    parse: wholeNumber(1, 1_000_000),
    runtimes: ['core', 'server'],
    default: '10000',
    options: ['maxCodes'],
  }),
} as const
