/**
 * `pnpm docs:config`: writes the settings table of docs/configuration.md from core's settings
 * table. A core test fails when the file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { withSettingsTable } from '../packages/core/src/settings/docs.js'

const file = new URL('../docs/configuration.md', import.meta.url)
const before = readFileSync(file, 'utf8')
const after = withSettingsTable(before)
if (after !== before) writeFileSync(file, after)
console.log(after === before ? 'docs/configuration.md is current' : 'docs/configuration.md updated')
