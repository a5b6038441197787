/**
 * Secrets Manager's GetSecretValue (AWS JSON 1.1 protocol), stubbed on loopback with a fixed
 * delay standing for the service's latency. Serves the AWS SDK (via its endpoint setting) and the
 * seed-pattern model alike.
 */
import { createServer, type Server } from 'node:http'

export function secretsManagerStub(
  secrets: Record<string, string>,
  delayMs: number,
): Server & { calls: number } {
  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      body += chunk
    })
    req.on('end', () => {
      stub.calls++
      const target = req.headers['x-amz-target']
      let id: unknown
      try {
        id = (JSON.parse(body) as { SecretId?: unknown }).SecretId
      } catch {
        id = undefined
      }
      const secret = typeof id === 'string' ? secrets[id] : undefined
      const answer = () => {
        res.setHeader('content-type', 'application/x-amz-json-1.1')
        if (
          target !== 'secretsmanager.GetSecretValue' ||
          secret === undefined ||
          typeof id !== 'string'
        ) {
          res.writeHead(400, { 'x-amzn-errortype': 'ResourceNotFoundException' })
          res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'not found' }))
          return
        }
        res.end(
          JSON.stringify({
            ARN: id,
            Name: id.split(':').pop(),
            SecretString: secret,
            VersionId: '00000000-0000-0000-0000-000000000000',
            VersionStages: ['AWSCURRENT'],
            CreatedDate: 1_764_460_800,
          }),
        )
      }
      if (delayMs > 0) setTimeout(answer, delayMs)
      else answer()
    })
  })
  const stub = Object.assign(server, { calls: 0 })
  return stub
}
