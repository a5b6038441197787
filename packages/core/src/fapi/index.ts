export { bufferResponse, MAX_IDP_RESPONSE_BYTES } from '../bounded-read.js'
export {
  type AssertionAuthOptions,
  assertionClientAuth,
  CLIENT_ASSERTION_TYPE,
} from './client-auth.js'
export {
  asksForNonce,
  createDpopHandle,
  createDpopNonceCache,
  DPOP_ALG,
  type DpopNonceCache,
  type DpopNonceCacheOptions,
  type DpopPrivateJwk,
  type DpopProofOptions,
  dpopJkt,
  generateDpopKey,
  importDpopKey,
  isDpopPrivateJwk,
  withDpopNonceRetry,
} from './dpop.js'
export { type ExternalKeyOperations, externalDecrypter } from './external-decrypter.js'
export { idpErrorCode, idpRejection } from './idp-errors.js'
export { type IdpHttp, oauthRequestOptions } from './idp-http.js'
export {
  CONTENT_ENCRYPTION_ALGORITHMS,
  type ContentEncryptionAlgorithm,
  type Decrypter,
  type DecryptOptions,
  decryptIdToken,
  decryptJwe,
  type EncryptionPublicJwk,
  type IdTokenDecryptOptions,
  importDecrypter,
  isCompactJwe,
  type JweHeader,
  KEY_MANAGEMENT_ALGORITHMS,
  type KeyManagementAlgorithm,
  toPublicEncryptionJwks,
} from './jwe.js'
export {
  type DpopBinding,
  type PushedAuthorization,
  type PushedAuthorizationInput,
  pushAuthorizationRequest,
  pushedAuthorizationRedirect,
} from './par.js'
export {
  fetchUserinfo,
  USERINFO_SIGNING_ALGORITHMS,
  type UserinfoClaims,
  type UserinfoInput,
  userinfoFromIdToken,
} from './userinfo.js'
