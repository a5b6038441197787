#!/usr/bin/env node
// The published `idp-proxy-keys` command (npx @idp-proxy/keys ...): the package ships TypeScript
// sources, so register tsx's loader before loading the CLI.
import { register } from 'tsx/esm/api'

register()
await import('../src/bin.ts')
