import type { BuildOptions } from 'esbuild'
export declare const bundleOptions: BuildOptions
export declare const chunkOptions: BuildOptions
export declare function bundleBuildOptions(name: string, outdir: string): BuildOptions
