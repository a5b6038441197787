/**
 * What a bundle's init is made of: the same esbuild settings as the Lambda bundles, applied to
 * core alone and to one AWS SDK client alone, so the cold-start table can say where the time goes.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleOptions } from '@idp-proxy/lambda-adapter/bundle-options'

const HERE = dirname(fileURLToPath(import.meta.url))
export const COLD_PARTS = ['core', 'dynamodb-client', 'secrets-manager-client'] as const
/** Built with code splitting: the lazy-SDK prototype's entry plus its chunks. */
export const LAZY_PART = 'authorize-lazy-sdk'
export type ColdPart = (typeof COLD_PARTS)[number] | typeof LAZY_PART

export async function buildColdParts(): Promise<
  { paths: Record<ColdPart, string>; remove(): void } | { skipped: string }
> {
  let esbuild: typeof import('esbuild')
  try {
    esbuild = await import('esbuild')
  } catch {
    return { skipped: 'esbuild not installed' }
  }
  const outdir = mkdtempSync(join(tmpdir(), 'bench-cold-parts-'))
  // The Lambda bundles' own settings, so each part costs what it costs in a real bundle.
  const common: import('esbuild').BuildOptions = { ...bundleOptions, logLevel: 'error' }
  await esbuild.build({
    ...common,
    entryPoints: Object.fromEntries(
      COLD_PARTS.map((part) => [part, join(HERE, 'cold-parts', `${part}.ts`)]),
    ),
    outdir,
    entryNames: '[name]/index',
  })
  await esbuild.build({
    ...common,
    entryPoints: { index: join(HERE, 'cold-parts', `${LAZY_PART}.ts`) },
    outdir: join(outdir, LAZY_PART),
    splitting: true,
  })
  const paths = Object.fromEntries(
    [...COLD_PARTS, LAZY_PART].map((part) => [part, join(outdir, part, 'index.mjs')]),
  ) as Record<ColdPart, string>
  return { paths, remove: () => rmSync(outdir, { recursive: true, force: true }) }
}
