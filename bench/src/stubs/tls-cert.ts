/**
 * A throwaway self-signed certificate for 127.0.0.1, made with the openssl CLI (node:crypto can
 * make keys but not X.509 certificates). RSA-2048, as most IdPs' certificates are.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { commandExists } from '../services.js'

export interface TlsMaterial {
  key: string
  cert: string
  /** The certificate's file, for NODE_EXTRA_CA_CERTS. */
  certPath: string
  dir: string
  remove(): void
}

export function makeCertificate(): TlsMaterial | string {
  if (!commandExists('openssl'))
    return 'openssl not installed: cannot make a certificate for the TLS IdP stub'
  const dir = mkdtempSync(join(tmpdir(), 'bench-tls-'))
  const keyPath = join(dir, 'key.pem')
  const certPath = join(dir, 'cert.pem')
  const result = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ])
  if (result.status !== 0) {
    rmSync(dir, { recursive: true, force: true })
    return `openssl failed: ${result.stderr.toString().split('\n')[0]}`
  }
  return {
    key: readFileSync(keyPath, 'utf8'),
    cert: readFileSync(certPath, 'utf8'),
    certPath,
    dir,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}
