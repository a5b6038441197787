/** Builds payload-2.0 events from the recorded fixtures, as API Gateway or a Function URL sends them. */
import { readFileSync } from 'node:fs'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'

export function fixture(name: string): APIGatewayProxyEventV2 {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8'))
}

export interface EventInit {
  body?: string
  /** Send the body base64-encoded, as API Gateway does for form posts. */
  base64?: boolean
  headers?: Record<string, string>
  cookies?: string[]
  /** 'apigw' (stage v1, paths /v1/...) or 'url' (Function URL, no stage). */
  via?: 'apigw' | 'url'
}

export function httpEvent(
  method: string,
  pathAndQuery: string,
  init: EventInit = {},
): APIGatewayProxyEventV2 {
  const base = fixture(init.via === 'url' ? 'function-url-health' : 'apigw-v2-authorize')
  const [rawPath = '/', rawQueryString = ''] = pathAndQuery.split('?')
  const event: APIGatewayProxyEventV2 = {
    ...base,
    routeKey: init.via === 'url' ? '$default' : `${method} ${rawPath.replace(/^\/v1/, '')}`,
    rawPath,
    rawQueryString,
    headers: { ...base.headers, ...init.headers },
    requestContext: {
      ...base.requestContext,
      http: { ...base.requestContext.http, method, path: rawPath },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
    },
    isBase64Encoded: false,
  }
  delete event.queryStringParameters
  if (init.cookies) event.cookies = init.cookies
  if (init.body !== undefined) {
    event.body = init.base64 ? Buffer.from(init.body).toString('base64') : init.body
    event.isBase64Encoded = Boolean(init.base64)
  }
  return event
}
