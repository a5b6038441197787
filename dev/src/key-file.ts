/**
 * A development key file kept between starts (in `.dev/`, gitignored): read it, or generate the
 * keys and write them with mode 0600 when it does not exist. A file that exists but does not hold
 * usable keys stops the start with a message naming the file (core's key parser never echoes key
 * material). Development only.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

export interface KeyFileOptions<T> {
  /** Checks the file's text and returns its keys; throws a message (never key material). */
  parse(text: string): T
  generate(): Promise<T>
  /** What deleting the file makes, for the error message ("a new key", "new keys"). */
  what: string
}

export async function loadOrCreateKeyFile<T>(
  file: string,
  options: KeyFileOptions<T>,
): Promise<{ value: T; created: boolean }> {
  let text: string | undefined
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  if (text !== undefined) {
    try {
      return { value: options.parse(text), created: false }
    } catch (error) {
      throw new Error(
        `${file}: ${(error as Error).message}. Delete the file to generate ${options.what}.`,
      )
    }
  }
  const value = await options.generate()
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
  // writeFile's mode is subject to the umask; make sure.
  await chmod(file, 0o600)
  return { value, created: true }
}
