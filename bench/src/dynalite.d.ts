// dynalite ships no types; the benchmark uses its factory and the net.Server it returns.
declare module 'dynalite' {
  import type { Server } from 'node:net'
  export default function dynalite(options?: {
    createTableMs?: number
    deleteTableMs?: number
    path?: string
  }): Server
}
