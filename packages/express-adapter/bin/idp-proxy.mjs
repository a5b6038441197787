#!/usr/bin/env node
// Launcher for the `idp-proxy` command: registers tsx (resolved from this package, whatever the
// working directory) and runs the TypeScript entry point. pnpm and npm link this file as the bin.
import { register } from 'tsx/esm/api'

register()
await import('../src/bin.ts')
