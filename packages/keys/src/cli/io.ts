/** What a command may touch: two output streams, a working directory and standard input. */
export interface CliIo {
  /** Machine-readable output (public JSON only). */
  stdout(text: string): void
  /** Messages and next steps for the person at the terminal. */
  stderr(text: string): void
  /** Base for relative paths. */
  cwd: string
  /** Standard input, for `--in -`. */
  readStdin(): Promise<string>
  /** How to call this tool in printed instructions: `idp-proxy-keys` or `pnpm keys`. */
  program: string
}
