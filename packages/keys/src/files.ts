/**
 * File input and output for the CLI. Private key files are created with mode 0600 from the start
 * (never written and chmod-ed after), and replaced atomically (temp file + rename) so a crash
 * never leaves half a key set behind.
 */
import { randomBytes } from 'node:crypto'
import { lstat, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { invalidOption, ProxyError } from '@idp-proxy/core'

export const PRIVATE_FILE_MODE = 0o600
export const PUBLIC_FILE_MODE = 0o644
/** Folders the CLI creates for key files: only their owner may list or enter them. */
export const KEY_DIR_MODE = 0o700

/**
 * Where `generate` and `import` write without `--out`, relative to where the user stands.
 * The repository's .gitignore lists `.local/`; the folder also carries its own `.gitignore`
 * (`*`), so it stays out of git in any repository the command is run in.
 */
export const DEFAULT_KEY_DIR = '.local/keys'

export interface InputFile {
  path: string
  text: string
  /** Set when a private key file can be read by group or others. */
  looseMode?: number
}

/** Reads `--<flag> path` (or standard input for "-") with a one-line error naming the flag. */
export async function readInput(
  flag: string,
  path: string,
  cwd: string,
  readStdin: () => Promise<string>,
): Promise<InputFile> {
  if (path === '-') return { path: '-', text: await readStdin() }
  const full = resolve(cwd, path)
  try {
    const text = await readFile(full, 'utf8')
    const mode = (await stat(full)).mode & 0o777
    return { path: full, text, ...(mode & 0o077 ? { looseMode: mode } : {}) }
  } catch (error) {
    throw invalidOption(flag, `cannot read ${path}: ${reason(error)}`)
  }
}

export interface WriteOptions {
  /** Replace an existing file (otherwise refuse). */
  overwrite: boolean
  mode: number
  /** The flag that named the file, for error messages. */
  flag: string
}

/**
 * Makes sure `dir` is a directory, creating it and its missing parents with mode 0700 (mkdir -p).
 * An existing folder keeps its mode: the user chose it. With `ignoreAll`, a folder created here
 * gets a `.gitignore` holding `*`.
 */
export async function ensureDirectory(
  dir: string,
  flag: string,
  options: { ignoreAll?: boolean } = {},
): Promise<void> {
  let created: string | undefined
  try {
    created = await mkdir(dir, { recursive: true, mode: KEY_DIR_MODE })
  } catch (error) {
    // EEXIST: a file (not a folder) has that name.
    if ((error as { code?: string }).code === 'EEXIST')
      throw invalidOption(flag, `${dir} is not a directory`)
    throw invalidOption(flag, `cannot create ${dir}: ${reason(error)}`)
  }
  if (created === undefined || !options.ignoreAll) return
  try {
    await writeFile(join(dir, '.gitignore'), '# Private keys: never commit them.\n*\n', {
      flag: 'wx',
    })
  } catch (error) {
    throw invalidOption(flag, `cannot write ${join(dir, '.gitignore')}: ${reason(error)}`)
  }
}

/** Refuses before anything is written when one of `paths` exists (a command writing two files). */
export async function refuseExisting(paths: readonly string[], flag: string): Promise<void> {
  for (const path of paths) {
    if (await exists(path))
      throw invalidOption(flag, `${path} already exists; pass --force to replace it`)
  }
}

/** Writes `text` to `path` with `mode`; refuses to replace a file unless `overwrite`. */
export async function writeFileSafely(
  path: string,
  text: string,
  options: WriteOptions,
): Promise<void> {
  if (!options.overwrite && (await exists(path))) {
    throw invalidOption(options.flag, `${path} already exists; pass --force to replace it`)
  }
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    // 'wx' never follows an existing file or link; the mode applies at creation.
    const handle = await open(temp, 'wx', options.mode)
    try {
      await handle.writeFile(text, 'utf8')
      await handle.chmod(options.mode) // exactly this mode, whatever the umask did
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true })
    if (error instanceof ProxyError) throw error
    throw invalidOption(options.flag, `cannot write ${path}: ${reason(error)}`)
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch {
    return false
  }
}

/** A short reason for a file-system error, without a stack. */
export function reason(error: unknown): string {
  const code = (error as { code?: string } | null)?.code
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'EISDIR':
      return 'it is a directory'
    case 'ENOTDIR':
      return 'a part of the path is not a directory'
    default:
      return code ?? (error instanceof Error ? error.message : String(error))
  }
}
