/**
 * KMS returns ECDSA signatures DER-encoded (SEQUENCE { INTEGER r, INTEGER s }); JWS wants the
 * raw r‖s form with each integer left-padded to the curve's size (RFC 7518 3.4).
 */
import { ProxyError } from '@idp-proxy/core'

function invalid(): ProxyError {
  return new ProxyError('ERR_KEYS_UNAVAILABLE', 'KMS returned a malformed ECDSA signature')
}

/** Reads a DER length at `offset`; returns [length, offset after it]. */
function readLength(der: Uint8Array, offset: number): [number, number] {
  const first = der[offset]
  if (first === undefined) throw invalid()
  if (first < 0x80) return [first, offset + 1]
  const count = first & 0x7f
  if (count === 0 || count > 2) throw invalid()
  let length = 0
  for (let i = 1; i <= count; i++) {
    const byte = der[offset + i]
    if (byte === undefined) throw invalid()
    length = (length << 8) | byte
  }
  return [length, offset + 1 + count]
}

function readInteger(der: Uint8Array, offset: number, size: number): [Uint8Array, number] {
  if (der[offset] !== 0x02) throw invalid()
  const [length, start] = readLength(der, offset + 1)
  const end = start + length
  if (length === 0 || end > der.length) throw invalid()
  let value = der.subarray(start, end)
  // DER adds a 0x00 byte when the high bit is set; strip any leading zeros.
  while (value.length > 1 && value[0] === 0) value = value.subarray(1)
  if (value.length > size) throw invalid()
  const padded = new Uint8Array(size)
  padded.set(value, size - value.length)
  return [padded, end]
}

/** DER ECDSA signature to JOSE r‖s; `size` is the curve's byte length (32 for P-256). */
export function derToJose(der: Uint8Array, size: number): Uint8Array {
  if (der[0] !== 0x30) throw invalid()
  const [length, start] = readLength(der, 1)
  if (start + length !== der.length) throw invalid()
  const [r, afterR] = readInteger(der, start, size)
  const [s, afterS] = readInteger(der, afterR, size)
  if (afterS !== der.length) throw invalid()
  const out = new Uint8Array(size * 2)
  out.set(r, 0)
  out.set(s, size)
  return out
}
