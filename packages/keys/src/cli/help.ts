import { ENCRYPTION_CURVES, KEY_MANAGEMENT_ALGORITHMS, SIGNING_ALGORITHMS } from '@idp-proxy/core'
import { DEFAULT_KEY_DIR } from '../files.js'

/** Usage texts. `{program}` is `idp-proxy-keys`, or `pnpm keys` when run through the root script. */

const OVERVIEW = `Manage the keys of idp-proxy: private_key_jwt signing keys, and the encryption keys
FAPI 2.0 IdPs (Singpass) encrypt ID tokens to ("use": "enc").

Usage: {program} <command> [flags]

Commands:
  generate   Create a new key pair (RS256, PS256, ES256, EdDSA, ... or, with --use enc,
             ECDH-ES+A256KW or RSA-OAEP-256) with a fresh kid
  import     Turn a PEM private key (+ certificate) into the proxy's private JWK
  rotate     Add a new key to a key set as the next key; the current key stays active
  promote    Make the next key active (--drop-old removes the old one afterwards)
  public     Print the public JWKS of a private JWK or JWKS

Run "{program} <command> --help" for a command's flags.
Public keys and instructions are printed; private keys are only ever written to files (mode 0600).`

const COMMANDS: Record<string, string> = {
  generate: `Usage: {program} generate [--use sig|enc] [--alg ALG] [--bits 2048] [--crv P-256] [--kid KID] [--out DIR] [--force]

Creates a key pair and writes DIR/<kid>.private.jwk.json (mode 0600) and DIR/<kid>.public.jwk.json,
then prints the public JWK and the next steps.

  --use    sig (default): a signing key; enc: an encryption key the IdP encrypts ID tokens to
  --alg    signing: ${SIGNING_ALGORITHMS.join(', ')} (default RS256;
           ES256/ES384/ES512 make a P-256/P-384/P-521 key, EdDSA an Ed25519 key)
           encryption: ${KEY_MANAGEMENT_ALGORITHMS.join(', ')} (default ECDH-ES+A256KW)
  --bits   RSA modulus size, 2048 to 8192 (default 2048); RSA only
  --crv    curve of an EC encryption key: ${ENCRYPTION_CURVES.join(', ')} (default P-256)
  --kid    key id (default: the key's RFC 7638 SHA-256 thumbprint)
  --out    directory for the two files, created (mode 0700) if missing
           (default: ${DEFAULT_KEY_DIR}, which holds a .gitignore so git never picks the keys up)
  --force  replace existing files`,
  import: `Usage: {program} import --key key.pem [--cert cert.pem] [--use sig|enc] [--kid KID] [--alg ALG] [--out FILE] [--force]

Converts a PEM private key (PKCS#8 "PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY" or SEC1 "EC PRIVATE KEY";
RSA, EC P-256/P-384/P-521 or Ed25519) into the private JWK the proxy reads, written to FILE
(mode 0600); prints the public JWK.
With a certificate (or certificates in key.pem), checks that it belongs to the key and adds
"x5c" and "x5t#S256": assertions then carry the x5t#S256 header Microsoft Entra ID asks for.

  --key    the PEM private key (not encrypted)
  --cert   the PEM certificate, or chain with the key's certificate first
  --use    sig (default) or enc (an RSA or EC P-256/384/521 key; no certificate)
  --kid    key id (default: the key's RFC 7638 SHA-256 thumbprint)
  --alg    signing RSA keys: RS256 (default), PS256, ...; EC and Ed25519 keys use their curve's
           encryption: RSA-OAEP-256 for RSA, ECDH-ES+A256KW (default) or ECDH-ES for EC
  --out    the private JWK file; missing folders are created (mode 0700)
           (default: ${DEFAULT_KEY_DIR}/<kid>.private.jwk.json, git-ignored)
  --force  replace an existing file`,
  rotate: `Usage: {program} rotate --in private.json [--use sig|enc] [--key FILE | --alg ALG --bits N --crv CRV --kid KID] [--out FILE] [--force]

Adds a new key to the key set (a private JWKS, or the single private JWK of the seed) as the next
key. The current key stays active, so nothing changes for the IdP yet. Writes the key set
{"keys": [...], "active_kid": "<current>"} (mode 0600) and prints the public JWKS to publish.
With --use enc it does the same for the encryption keys ("active_enc_kid": the one published
first); a set without one gets its first encryption key. Every encryption key keeps decrypting.

  --in     the current private JWK/JWKS ("-" reads standard input; then --out is required)
  --use    sig (default) or enc: which keys to rotate
  --key    add this private JWK file (from generate or import) instead of generating a key
  --alg    algorithm of the new key (default: the active key's)
  --bits   RSA size of the new key (default: the active key's, at least 2048)
  --crv    curve of a new EC encryption key (default: the active one's, else P-256)
  --kid    key id of the new key (default: its RFC 7638 thumbprint)
  --out    where to write the key set (default: replace --in); missing folders are created
  --force  replace an existing --out file`,
  promote: `Usage: {program} promote --in jwks.json [--use sig|enc] [--kid KID] [--drop-old] [--out FILE] [--force]

Makes the next key (the one after the active key, or --kid) the active key. Both public keys stay
published. Once every proxy signs with the new key and the IdP no longer needs the old one, run
promote --drop-old to remove the keys before the active one (on its own it only drops them).

  --in        the private JWKS ("-" reads standard input; then --out is required)
  --use       sig (default) or enc: for enc, the promoted key is published first; the old one
              keeps decrypting until --drop-old removes it
  --kid       the key to make active (default: the key after the active one)
  --drop-old  remove the keys before the new active key
  --out       where to write the key set (default: replace --in); missing folders are created
  --force     replace an existing --out file`,
  public: `Usage: {program} public --in private.json

Prints the public JWKS of a private JWK or JWKS: what the proxy serves at /.well-known/jwks.json
and what to upload to an IdP that takes public keys.

  --in  the private JWK/JWKS ("-" reads standard input)`,
}

export const COMMAND_NAMES = Object.keys(COMMANDS)

export function helpText(program: string, command?: string): string {
  const text = (command && COMMANDS[command]) || OVERVIEW
  return text.replaceAll('{program}', program)
}
