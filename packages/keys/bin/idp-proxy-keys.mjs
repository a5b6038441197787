#!/usr/bin/env node
// The `idp-proxy-keys` command: the built CLI. Inside the repository, `pnpm build` makes it.
const entry = new URL('../dist/bin.js', import.meta.url)
await import(entry.href).catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && error.url === entry.href) {
    console.error('idp-proxy-keys: not built yet: run `pnpm build` in the repository first')
    process.exit(1)
  }
  throw error
})
