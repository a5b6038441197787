export declare function buildBundles(options?: { quiet?: boolean }): Promise<{
  sizes: { route: string; raw: number; gzip: number; lazy: number }[]
  /** The files esbuild read, relative to the package directory. */
  inputs: string[]
}>
