/**
 * The settings only an adapter or the local run reads: stores, key sources and secrets on AWS,
 * the server's address, the local run's ports. Part of the settings table (table.ts).
 */
import { list, oneOf, port, text, wholeNumber } from './parsers.js'
import { LAMBDA, LAMBDA_SIGNING, setting } from './setting.js'

export const RUNTIME_SETTINGS = {
  FLOW_TABLE_NAME: setting({
    doc: 'With `STORE=dynamodb`: the DynamoDB flow table (its key and TTL attributes are `DYNAMODB_ATTRIBUTES` of `@idp-proxy/lambda-adapter`)',
    parse: text,
    runtimes: ['server', ...LAMBDA],
    options: ['tableName'],
  }),
  REDIS_KEY_PREFIX: setting({
    doc: 'With `STORE=redis://…`: prefix of every key',
    parse: text,
    runtimes: ['server'],
    default: 'idp-proxy:flow:',
    options: ['keyPrefix'],
  }),
  PRIVATE_KEY_FILE: setting({
    doc: 'Path to a file holding the private JWK or JWKS (instead of `PRIVATE_KEY`; a mounted secret)',
    parse: text,
    runtimes: ['server'],
  }),
  PRIVATE_KEY_SECRET_ARN: setting({
    doc: 'Secrets Manager secret holding the private JWK or JWKS',
    parse: text,
    runtimes: LAMBDA_SIGNING,
  }),
  KMS_KEY_ID: setting({
    doc: 'An asymmetric KMS signing key (instead of `PRIVATE_KEY_SECRET_ARN`): the private key never leaves KMS',
    parse: text,
    runtimes: LAMBDA_SIGNING,
    options: ['keyId'],
  }),
  KMS_KEY_KID: setting({
    doc: 'With `KMS_KEY_ID`: the `kid` (default: the public JWK thumbprint, RFC 7638)',
    parse: text,
    runtimes: LAMBDA_SIGNING,
    options: ['kid'],
    pulumiKey: 'kmsKeyKid',
  }),
  KMS_DECRYPTION_KEY_IDS: setting({
    doc: 'Comma-separated KMS decryption keys (ids or ARNs; RSA ENCRYPT_DECRYPT or EC KEY_AGREEMENT) for encrypted ID tokens and userinfo, published with `use: "enc"` (with the key secret or `KMS_KEY_ID`)',
    parse: list(text),
    runtimes: ['lambda:token'],
    options: ['decryptionKeys'],
  }),
  CLIENT_SECRET_ARN: setting({
    doc: "Secrets Manager secret holding Cognito's client secret (instead of `COGNITO_CLIENT_SECRET`)",
    parse: text,
    runtimes: ['lambda:token'],
  }),
  KEY_CACHE_TTL_SECONDS: setting({
    doc: 'How long the key and client secret read from Secrets Manager are cached, 0 to 86400',
    parse: wholeNumber(0, 86_400),
    runtimes: LAMBDA_SIGNING,
    default: '300',
    options: ['ttlSeconds'],
  }),
  PORT: setting({
    doc: 'Port to listen on',
    parse: port,
    runtimes: ['server'],
    default: '8080',
  }),
  HOST: setting({
    doc: 'Address to listen on',
    parse: text,
    runtimes: ['server'],
    default: '0.0.0.0',
  }),
  LOCAL_IDP: setting({
    doc: "The local run's development IdP: `dev` (private_key_jwt and PKCE) or `fapi` (FAPI 2.0: PAR, DPoP, encrypted ID tokens, ES256 assertions with `aud` = issuer; `pnpm start --fapi`); docs/local.md",
    parse: oneOf(['dev', 'fapi'] as const),
    runtimes: ['local'],
    default: 'dev',
  }),
  IDP_REQUIRE_ACR: setting({
    doc: 'The development IdP refuses sign-ins without this `acr_values`; the proxy then sends it unless `AUTHORIZATION_PARAMS` is given',
    parse: text,
    runtimes: ['local'],
  }),
  STANDIN_PORT: setting({
    doc: "Port of the local run's Cognito stand-in (the page to open)",
    parse: port,
    runtimes: ['local'],
    default: '8400',
  }),
  PROXY_PORT: setting({
    doc: "Port of the local run's proxy",
    parse: port,
    runtimes: ['local'],
    default: '8401',
  }),
  IDP_PORT: setting({
    doc: "Port of the local run's development IdP",
    parse: port,
    runtimes: ['local'],
    default: '8402',
  }),
} as const
