import { fork } from 'node:child_process'
import { runLoad } from './load.js'
import { AUTHORIZE_PATH } from './proxy-setup.js'

const child = fork('src/srv-tmp.ts', [], {
  execArgv: [
    '--conditions=source',
    '--import',
    'tsx',
    ...(process.argv[2] ? ['--cpu-prof', '--cpu-prof-dir', process.argv[2]] : []),
  ],
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
})
const port = await new Promise<number>((r) => child.once('message', (m) => r(m as number)))
await runLoad({
  url: `http://127.0.0.1:${port}${AUTHORIZE_PATH}`,
  connections: 10,
  durationSeconds: 1,
})
const res = await runLoad({
  url: `http://127.0.0.1:${port}${AUTHORIZE_PATH}`,
  connections: 10,
  durationSeconds: 4,
})
console.log('rps', (res.requests / res.seconds).toFixed(0))
child.kill('SIGTERM')
