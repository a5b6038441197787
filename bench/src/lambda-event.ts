/** API Gateway HTTP API (payload 2.0) events, for calling the Lambda bundles' handlers directly. */

export interface HttpApiEvent {
  version: '2.0'
  routeKey: string
  rawPath: string
  rawQueryString: string
  headers: Record<string, string>
  requestContext: Record<string, unknown>
  body?: string
  isBase64Encoded: boolean
}

export function httpApiEvent(
  method: string,
  pathAndQuery: string,
  body?: string,
  headers: Record<string, string> = {},
): HttpApiEvent {
  const [rawPath = '/', rawQueryString = ''] = pathAndQuery.split('?', 2)
  return {
    version: '2.0',
    routeKey: `${method} ${rawPath}`,
    rawPath,
    rawQueryString,
    headers: { host: 'proxy.example.com', 'user-agent': 'bench', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'bench',
      domainName: 'proxy.example.com',
      domainPrefix: 'proxy',
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'bench',
      },
      requestId: `bench-${Math.random().toString(36).slice(2)}`,
      routeKey: `${method} ${rawPath}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  }
}

export const LAMBDA_CONTEXT = {
  functionName: 'bench',
  awsRequestId: 'bench',
  getRemainingTimeInMillis: () => 30_000,
}

export type LambdaHandler = (
  event: HttpApiEvent,
  context: typeof LAMBDA_CONTEXT,
) => Promise<{ statusCode?: number }>
