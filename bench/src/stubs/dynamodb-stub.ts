/**
 * DynamoDB's PutItem, GetItem and DeleteItem (AWS JSON 1.0), stubbed in memory on loopback with a
 * fixed delay standing for the service's latency: what the flow store calls, and what the seed
 * model's functions call. Conditions are honoured as far as the flow store uses them (a put never
 * replaces an item; a delete of another `kind` fails).
 */
import { createServer, type Server } from 'node:http'

type Item = Record<string, { S?: string; N?: string }>

export function dynamoDbStub(delayMs: number): Server & { calls: number } {
  const items = new Map<string, Item>()
  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      body += chunk
    })
    req.on('end', () => {
      stub.calls++
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1]
      const input = JSON.parse(body || '{}') as {
        Item?: Item
        Key?: Item
        ExpressionAttributeValues?: Item
      }
      const answer = (status: number, output: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' })
        res.end(JSON.stringify(output))
      }
      const fail = (type: string) =>
        answer(400, { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: type })
      const respond = () => {
        if (operation === 'PutItem' && input.Item?.pk?.S) {
          if (items.has(input.Item.pk.S)) return fail('ConditionalCheckFailedException')
          items.set(input.Item.pk.S, input.Item)
          return answer(200, {})
        }
        const key = input.Key?.pk?.S
        if (operation === 'GetItem' && key) {
          const item = items.get(key)
          return answer(200, item ? { Item: item } : {})
        }
        if (operation === 'DeleteItem' && key) {
          const item = items.get(key)
          const kind = input.ExpressionAttributeValues?.[':kind']?.S
          if (item && kind && item.kind?.S && item.kind.S !== kind) {
            return fail('ConditionalCheckFailedException')
          }
          items.delete(key)
          return answer(200, item ? { Attributes: item } : {})
        }
        return fail('ValidationException')
      }
      if (delayMs > 0) setTimeout(respond, delayMs)
      else respond()
    })
  })
  const stub = Object.assign(server, { calls: 0 })
  return stub
}
