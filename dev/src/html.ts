/**
 * The local run's pages (the development IdP, the Cognito stand-in) use the product's one page
 * layout from core, the same the proxy's own error pages use, so all of them look alike.
 */
export { escapeHtml, htmlPage as page } from '@idp-proxy/core'
