export { type LoopbackServer, serveOnLoopback } from './loopback.js'
export { mswServer, startMsw, useMsw } from './msw.js'
export {
  createStrictIdp,
  type Exchange,
  type SignIn,
  type StrictIdp,
  type StrictIdpOptions,
} from './strict-idp.js'
