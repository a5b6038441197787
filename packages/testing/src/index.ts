export {
  type HostileAnswer,
  type HostileEndpoint,
  type HostileIdp,
  startHostileIdp,
} from './hostile-idp.js'
export { type LoopbackServer, serveOnLoopback } from './loopback.js'
export { mswServer, startMsw, useMsw, withoutMsw } from './msw.js'
export {
  type ConformanceOptions,
  type ConformingStore,
  conformanceRecords,
  runStoreConformance,
} from './store-conformance.js'
export {
  createStrictIdp,
  type Exchange,
  type IdTokenTamper,
  type SignIn,
  type StrictIdp,
  type StrictIdpOptions,
} from './strict-idp.js'
