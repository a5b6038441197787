/**
 * `@idp-proxy/core/node`: what a Node runtime can do faster than the Web platform core is built
 * on. The Lambda and Express adapters pass these to `createProxy`; an app that builds its own
 * proxy on Node can too (`createProxy({ ..., signatureCheck: nodeSignatureCheck })`).
 */
export { nodeSignatureCheck } from './signature-check.js'
