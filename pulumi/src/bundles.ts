/**
 * Where the Lambda functions' code comes from: the lambda-adapter's bundles, one directory per
 * bundle holding `index.mjs`. By default the prebuilt bundles shipped in the installed
 * `@idp-proxy/lambda-adapter` package (its `./bundles/<name>` export), found through Node's
 * resolution from this package, so the component works wherever it is installed.
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as pulumi from '@pulumi/pulumi'

/** The lambda-adapter's bundles: one per route function, and `all` for the single function. */
export const BUNDLES = ['authorize', 'callback', 'token', 'all'] as const
export type BundleName = (typeof BUNDLES)[number]

/** A RunError: Pulumi prints its message without a stack trace. */
export class BundleNotFoundError extends pulumi.RunError {
  override name = 'BundleNotFoundError' as const
}

/** The directory of `bundle` inside `bundleDir`, or an error that says where it looked. */
export function bundleDirectory(bundleDir: string, bundle: BundleName): string {
  const dir = join(bundleDir, bundle)
  if (!existsSync(join(dir, 'index.mjs'))) {
    throw new BundleNotFoundError(`Lambda bundle ${join(dir, 'index.mjs')} does not exist`)
  }
  return dir
}

/** The directory of `bundle` in the installed @idp-proxy/lambda-adapter package. */
export function installedBundleDirectory(bundle: BundleName): string {
  const specifier = `@idp-proxy/lambda-adapter/bundles/${bundle}`
  let file: string
  try {
    file = fileURLToPath(import.meta.resolve(specifier))
  } catch (error) {
    throw new BundleNotFoundError(
      `Lambda bundle ${specifier} cannot be resolved from ${fileURLToPath(import.meta.url)} ` +
        `(${(error as Error).message.split('\n')[0]}): install @idp-proxy/lambda-adapter, or pass bundleDir`,
    )
  }
  if (!existsSync(file)) {
    throw new BundleNotFoundError(
      `Lambda bundle ${file} (${specifier}) does not exist: the package was installed without its built bundles`,
    )
  }
  return dirname(file)
}
