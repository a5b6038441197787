#!/usr/bin/env node
// The `idp-proxy` command: the built CLI (run `pnpm build` first inside the workspace).
import '../dist/bin.js'
