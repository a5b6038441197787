/**
 * The proxy's own settings: what `createProxy` takes, as every runtime's environment writes it.
 * Part of the settings table (table.ts); the adapters' and the local run's are in
 * runtime-settings.ts.
 */
import { CONTENT_ENCRYPTION_ALGORITHMS } from '../fapi/jwe.js'
import { SIGNING_ALGORITHMS } from '../keys/key-source.js'
import { parsePrivateKeySet } from '../keys/private-jwk.js'
import { LOG_LEVELS } from '../logger.js'
import { MIN_CLIENT_SECRET_LENGTH, RESERVED_AUTHORIZATION_PARAMS } from '../options.js'
import { IDP_PROFILE_NAMES } from '../profiles.js'
import {
  boolean,
  httpsUrl,
  list,
  minLength,
  oneOf,
  type Parser,
  problem,
  storeKind,
  stringMap,
  text,
  wholeNumber,
  wordOrUrl,
} from './parsers.js'
import { AUTHORIZE, PROXY, SIGNING, setting, TOKEN } from './setting.js'

const authorizationParams: Parser<Record<string, string>> = (value, context) => {
  const params = stringMap(value, context)
  for (const name of Object.keys(params)) {
    if ((RESERVED_AUTHORIZATION_PARAMS as readonly string[]).includes(name)) {
      throw problem(`cannot set "${name}": the proxy sets it`)
    }
  }
  return params
}

// Checked for shape only (the key's parser never quotes key material); ACTIVE_KID and KEY_ALG
// apply when the key source is built.
const privateKeyText: Parser<string> = (value) => {
  try {
    parsePrivateKeySet(value)
  } catch (error) {
    throw problem((error as Error).message)
  }
  return value
}

export const PROXY_SETTINGS = {
  PROXY_BASE_URL: setting({
    doc: 'Public base URL of the proxy (with the API stage, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/v1`); the IdP callback is `<this>/callback`. Configured, never taken from `Host`',
    parse: httpsUrl(),
    runtimes: PROXY,
    required: PROXY,
    options: ['baseUrl'],
  }),
  IDP_ISSUER: setting({
    doc: "The IdP's issuer; endpoints not given explicitly come from its discovery document (fetched once, cached)",
    parse: httpsUrl(),
    runtimes: PROXY,
    required: PROXY,
    options: ['idp.issuer', 'idp'],
    pulumiKey: 'issuer',
  }),
  IDP_CLIENT_ID: setting({
    doc: 'Client id registered at the IdP (Cognito uses the same id)',
    parse: text,
    runtimes: PROXY,
    required: PROXY,
    options: ['clientId'],
    pulumiKey: 'clientId',
  }),
  COGNITO_REDIRECT_URIS: setting({
    doc: 'Comma-separated Cognito redirect URIs (`https://<domain>/oauth2/idpresponse`), matched exactly. With `ALLOW_INSECURE_HTTP`, loopback `http:` URIs too',
    parse: list(httpsUrl({ httpOnLoopbackOnly: true })),
    runtimes: PROXY,
    required: PROXY,
    options: ['redirectUris'],
  }),
  COGNITO_CLIENT_SECRET: setting({
    doc: `The secret Cognito sends at \`/token\`, at least ${MIN_CLIENT_SECRET_LENGTH} characters. On Lambda prefer \`CLIENT_SECRET_ARN\`, which keeps it out of the environment`,
    parse: minLength(MIN_CLIENT_SECRET_LENGTH),
    runtimes: TOKEN,
    required: ['server'],
    options: ['clientSecret'],
    secret: true,
  }),
  IDP_AUTHORIZATION_ENDPOINT: setting({
    doc: 'Explicit authorization endpoint (skips discovery for it)',
    parse: httpsUrl(),
    runtimes: PROXY,
    options: ['idp.authorizationEndpoint'],
    pulumiKey: 'idpAuthorizationEndpoint',
  }),
  IDP_TOKEN_ENDPOINT: setting({
    doc: 'Explicit token endpoint (skips discovery for it)',
    parse: httpsUrl(),
    runtimes: PROXY,
    options: ['idp.tokenEndpoint'],
    pulumiKey: 'idpTokenEndpoint',
  }),
  PKCE: setting({
    doc: '`true` or `false`: with `false` Cognito goes to the IdP directly and only `/token` goes through the proxy (then `AUTHORIZATION_PARAMS` and `ADD_NONCE=true` cannot apply and are refused)',
    parse: boolean,
    runtimes: [...PROXY, 'local'],
    default: 'true',
    options: ['pkce'],
    pulumiKey: 'pkce',
  }),
  AUTHORIZATION_PARAMS: setting({
    doc: `Extra authorization parameters, added or overriding Cognito's: a JSON object or a query string (\`acr_values=...&prompt=login\`). ${RESERVED_AUTHORIZATION_PARAMS.map((name) => `\`${name}\``).join(', ')} are the proxy's`,
    parse: authorizationParams,
    runtimes: [...AUTHORIZE, 'local'],
    options: ['authorizationParams'],
    pulumiKey: 'authorizationParams',
  }),
  ADD_NONCE: setting({
    doc: 'Add a random `nonce` when Cognito sends none (Login.gov requires one)',
    parse: boolean,
    runtimes: AUTHORIZE,
    default: 'true (with PKCE)',
    options: ['addNonce'],
  }),
  ASSERTION_AUDIENCE: setting({
    doc: '`token_endpoint` (Okta, Entra ID, Login.gov), `issuer` (Auth0, Singpass, HelseID) or a URL: the `aud` of the client assertion',
    parse: wordOrUrl(['token_endpoint', 'issuer']),
    runtimes: SIGNING,
    default: 'token_endpoint',
    options: ['assertion.audience'],
    pulumiKey: 'assertionAudience',
  }),
  ASSERTION_LIFETIME_SECONDS: setting({
    doc: 'Client assertion lifetime, 1 to 600',
    parse: wholeNumber(1, 600),
    runtimes: SIGNING,
    default: '60',
    options: ['assertion.lifetimeSeconds'],
  }),
  FLOW_TTL_SECONDS: setting({
    doc: 'How long a sign-in at the IdP may take, 30 to 3600',
    parse: wholeNumber(30, 3600),
    runtimes: AUTHORIZE,
    default: '600',
    options: ['flowTtlSeconds'],
  }),
  CODE_TTL_SECONDS: setting({
    doc: "How long the proxy's code is valid for Cognito's token call, 10 to 600",
    parse: wholeNumber(10, 600),
    runtimes: ['core', 'server', 'lambda:callback', 'lambda:token'],
    default: '120',
    options: ['codeTtlSeconds'],
  }),
  IDP_TIMEOUT_MS: setting({
    doc: 'Timeout of each request to the IdP (discovery, token), 100 to 60000',
    parse: wholeNumber(100, 60_000),
    runtimes: PROXY,
    default: '10000',
    options: ['idpTimeoutMs'],
  }),
  JWKS_MAX_AGE_SECONDS: setting({
    doc: '`Cache-Control: max-age` of the JWKS route, 0 to 86400',
    parse: wholeNumber(0, 86_400),
    runtimes: TOKEN,
    default: '300',
    options: ['jwksMaxAgeSeconds'],
  }),
  ROUTE_PATHS: setting({
    doc: 'Route paths as JSON, e.g. `{"token":"/oauth/token"}` (defaults `/authorize`, `/callback`, `/token`, `/.well-known/jwks.json`, `/health`)',
    parse: stringMap,
    runtimes: PROXY,
    options: ['paths'],
  }),
  PRIVATE_KEY: setting({
    doc: 'Private signing key inline: a JWK or a JWKS `{"keys":[...],"active_kid":"..."}` (the standalone server also takes `PRIVATE_KEY_FILE`, Lambda `PRIVATE_KEY_SECRET_ARN` or `KMS_KEY_ID`)',
    parse: privateKeyText,
    runtimes: SIGNING,
    options: ['keys'],
    secret: true,
  }),
  ACTIVE_KID: setting({
    doc: 'Which `kid` signs (default: the JWKS `active_kid`, else its first key)',
    parse: text,
    runtimes: SIGNING,
    options: ['activeKid'],
  }),
  KEY_ALG: setting({
    doc: `Algorithm for keys without \`alg\`: ${SIGNING_ALGORITHMS.join(', ')} (RSA keys default to RS256; EC keys sign with their curve's)`,
    parse: oneOf(SIGNING_ALGORITHMS),
    runtimes: SIGNING,
    options: ['defaultAlg', 'alg'],
  }),
  STORE: setting({
    doc: 'Where flows live: `memory` (one process), `sealed` (no state, with `SEALING_KEYS`), `redis://…` (standalone server) or `dynamodb` (Lambda, standalone server; with `FLOW_TABLE_NAME`). Lambda takes `dynamodb` or `sealed`; the local run `memory` or `sealed`',
    parse: storeKind,
    runtimes: [...PROXY, 'local'],
    default: 'memory',
    options: ['store', 'url'],
    pulumiKey: 'store',
  }),
  SEALING_KEYS: setting({
    doc: 'With `STORE=sealed`: comma-separated 32-byte base64url keys, newest first',
    parse: list(text),
    runtimes: PROXY,
    secret: true,
  }),
  ALLOW_INSECURE_HTTP: setting({
    doc: '`true` allows `http:` IdP and base URLs (local development only)',
    parse: boolean,
    runtimes: PROXY,
    default: 'false',
    options: ['allowInsecureHttp'],
  }),
  LOG_LEVEL: setting({
    doc: LOG_LEVELS.map((level) => `\`${level}\``).join(', '),
    parse: oneOf(LOG_LEVELS),
    runtimes: [...PROXY, 'local'],
    default: 'info',
    pulumiKey: 'logLevel',
  }),
  // FAPI 2.0 and IdP profiles (issue 13). Profile-shaped settings default to the profile's value.
  IDP_PROFILE: setting({
    doc: `The IdP's documented defaults (assertion \`aud\`, lifetime and algorithms, PAR, DPoP, nonce, authorization parameters, ID-token encryption): ${IDP_PROFILE_NAMES.map((name) => `\`${name}\``).join(', ')}. Explicit settings override it within its limits; docs/idps/README.md`,
    parse: oneOf(IDP_PROFILE_NAMES),
    runtimes: PROXY,
    options: ['profile'],
    pulumiKey: 'idpProfile',
  }),
  IDP_PAR_ENDPOINT: setting({
    doc: "The IdP's pushed authorization request endpoint (default: discovery's `pushed_authorization_request_endpoint`)",
    parse: httpsUrl(),
    runtimes: PROXY,
    options: ['idp.parEndpoint'],
    pulumiKey: 'idpParEndpoint',
  }),
  IDP_USERINFO_ENDPOINT: setting({
    doc: "The IdP's userinfo endpoint, which `/userinfo` calls (default: discovery's `userinfo_endpoint`; none: `/userinfo` answers with the ID token's claims)",
    parse: httpsUrl(),
    runtimes: PROXY,
    options: ['idp.userinfoEndpoint'],
  }),
  PAR: setting({
    doc: "Pushed authorization requests (RFC 9126): `auto` (when discovery says `require_pushed_authorization_requests`), `always`, `never` (default: the profile's, else `auto`)",
    parse: oneOf(['auto', 'always', 'never'] as const),
    runtimes: PROXY,
    options: ['par'],
    pulumiKey: 'par',
  }),
  DPOP: setting({
    doc: "`true`: DPoP (RFC 9449) with a key per sign-in at PAR, token and userinfo; Cognito gets a Bearer handle and must use `/userinfo` (default: the profile's, else `false`)",
    parse: boolean,
    runtimes: PROXY,
    options: ['dpop'],
    pulumiKey: 'dpop',
  }),
  DPOP_PROOF_LIFETIME_SECONDS: setting({
    doc: "Adds `exp` = `iat` + this to each DPoP proof, 1–300 (Singpass: 120; default: the profile's, else no `exp`)",
    parse: wholeNumber(1, 300),
    runtimes: PROXY,
    options: ['dpopProofLifetimeSeconds'],
  }),
  ID_TOKEN_ENCRYPTION_REQUIRED: setting({
    doc: '`true` refuses ID tokens not encrypted to one of the proxy\'s `use: "enc"` keys (encrypted ones are always decrypted; default: the profile\'s, else `false`)',
    parse: boolean,
    runtimes: PROXY,
    options: ['requireEncryptedIdToken'],
    pulumiKey: 'idTokenEncryptionRequired',
  }),
  JWE_CONTENT_ENCRYPTION: setting({
    doc: `Comma-separated JWE \`enc\` values accepted in ID tokens and userinfo: ${CONTENT_ENCRYPTION_ALGORITHMS.join(', ')} (default: all)`,
    parse: list(oneOf(CONTENT_ENCRYPTION_ALGORITHMS)),
    runtimes: PROXY,
    options: ['contentEncryptionAlgorithms'],
  }),
  ASSERTION_ALGORITHMS: setting({
    doc: "Comma-separated JWS algorithms the IdP accepts for client assertions: a signing key with another is refused at start-up (default: the profile's, else any)",
    parse: list(text),
    runtimes: PROXY,
    options: ['assertion.algorithms'],
  }),
  USERINFO: setting({
    doc: "`true` serves `/userinfo` (Cognito's `attributes_url`): Cognito gets a Bearer handle instead of the IdP's access token (default: on with `DPOP`, `ID_TOKEN_ENCRYPTION_REQUIRED` or `PAR=always`, else off)",
    parse: boolean,
    runtimes: PROXY,
    options: ['userinfo'],
    pulumiKey: 'userinfo',
  }),
  ACCESS_TOKEN_TTL_SECONDS: setting({
    doc: "Longest life of an access-token handle, 30–3600; it never outlives the IdP's token",
    parse: wholeNumber(30, 3600),
    runtimes: PROXY,
    default: '300',
    options: ['accessTokenTtlSeconds'],
  }),
} as const
