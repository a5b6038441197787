// What a passing suite must not print (scripts/test.mjs fails the run when it does): an
// error-level JSON log line, or a warning from Node, npm or a library. A test that provokes one
// captures its logger and asserts on the line instead. Tested in dev/test/noise-guard.test.ts.

const ESC = String.fromCharCode(27)
const BEL = String.fromCharCode(7)
// Every terminal escape, not only colours: CSI (colours, cursor moves, erase), OSC (titles,
// links) and two-character escapes. Any of them could split a word the patterns look for.
const ESCAPES = new RegExp(
  [
    `${ESC}\\[[0-?]*[ -/]*[@-~]`,
    `${ESC}\\][^${BEL}${ESC}]*(?:${BEL}|${ESC}\\\\)`,
    `${ESC}[@-Z\\\\-_]`,
    `\\u009b[0-?]*[ -/]*[@-~]`,
  ].join('|'),
  'g',
)

/** `text` without terminal escapes. */
export function withoutEscapes(text) {
  return text.replace(ESCAPES, '')
}

const PATTERNS = [
  // JSON log lines of the proxy, the adapters and the dev IdP: {"level":"error",...}
  /"level"\s*:\s*"error"/,
  // Node's process warnings: "(node:123) Warning: …", "(node:123) [DEP0040] DeprecationWarning: …",
  // ExperimentalWarning, MaxListenersExceededWarning, the AWS SDK's NodeVersionSupportWarning.
  /\b[A-Za-z]*Warning:/,
  // oidc-provider's "oidc-provider WARNING: …", npm's "npm warn …" / "npm WARN …".
  /\bWARNING\b/,
  /^\s*npm warn\b/i,
]

/** The lines of `text` (escapes removed) that are error-level log lines or warnings. */
export function noiseLines(text) {
  return withoutEscapes(text)
    .split(/\r\n|\r|\n/)
    .filter((line) => PATTERNS.some((pattern) => pattern.test(line)))
    .map((line) => line.trim())
}
