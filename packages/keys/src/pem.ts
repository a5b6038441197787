/** Splits PEM text into its labelled blocks, so each can be recognised before it is parsed. */

export interface PemBlock {
  /** The label, e.g. `PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`, `CERTIFICATE`. */
  label: string
  /** The whole block, BEGIN and END lines included. */
  text: string
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g

export function pemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(BLOCK)].map((match) => ({ label: match[1] as string, text: match[0] }))
}

export const PRIVATE_KEY_LABELS = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'] as const

/** True for a traditional (OpenSSL) encrypted PEM: `Proc-Type: 4,ENCRYPTED` inside the block. */
export function isLegacyEncrypted(block: PemBlock): boolean {
  return /^Proc-Type:\s*4,ENCRYPTED/m.test(block.text)
}
