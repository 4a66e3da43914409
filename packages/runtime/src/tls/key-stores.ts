/**
 * Java's trust and key stores for Node's TLS: JKS (jks-js), PKCS12 (node-forge for trust stores, Node itself for key
 * stores) and PEM, read from bytes into what `tls.connect` / `tls.createSecureContext` take. Generic: callers name
 * their own settings in the messages of the {@link KeyStoreError}s thrown here.
 */
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';

export type KeyStoreFormat = 'JKS' | 'PKCS12' | 'PEM';

/** Why a store could not be used: a wrong password, bytes that are no store of the kind, or no entry of the kind wanted. */
export class KeyStoreError extends Error {
  constructor(
    readonly reason: 'password' | 'format' | 'empty' | 'key',
    message: string,
  ) {
    super(message);
    this.name = 'KeyStoreError';
  }
}

const isJks = (data: Buffer) => data.length >= 4 && data.readUInt32BE(0) === 0xfeedfeed; // JKS magic number
const isPem = (data: Buffer) => data.toString('latin1').includes('-----BEGIN');
const isDer = (data: Buffer) => data[0] === 0x30; // an ASN.1 SEQUENCE: a PKCS12 store, if anything

/** The format of a store's bytes, whatever its file name or declared type says (undefined: none of them). */
export function detectKeyStoreFormat(data: Buffer): KeyStoreFormat | undefined {
  return isJks(data) ? 'JKS' : isPem(data) ? 'PEM' : isDer(data) ? 'PKCS12' : undefined;
}

// jks-js and node-forge take ~100 ms to load: they are loaded when a JKS/PKCS12 store is read, not before.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jks = (): typeof import('jks-js') => require('jks-js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const forge = (): typeof import('node-forge') => require('node-forge');

const WRONG_PASSWORD = /password|MAC could not be verified|mac verify|Cannot recover key|Invalid password|bad decrypt/i;

function storeError(format: KeyStoreFormat, e: unknown): KeyStoreError {
  const m = (e as Error).message;
  return WRONG_PASSWORD.test(m)
    ? new KeyStoreError('password', `wrong password (${m})`)
    : new KeyStoreError('format', `cannot read it as a ${format} store (${m})`);
}

/** The PEM blocks of one kind (`CERTIFICATE`, or any `… PRIVATE KEY`) in a text. */
export function pemBlocks(text: string, kind: 'CERTIFICATE' | 'PRIVATE KEY'): string[] {
  const re =
    kind === 'CERTIFICATE'
      ? /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g
      : /-----BEGIN ((?:[A-Z]+ )*PRIVATE KEY)-----[\s\S]*?-----END \1-----/g;
  return text.match(re) ?? [];
}

/** The certificates of a PKCS12 store: those without a key (trusted certificates), else all of them. */
function pkcs12Certificates(data: Buffer, password: string): string[] {
  const f = forge();
  const p12 = f.pkcs12.pkcs12FromAsn1(f.asn1.fromDer(data.toString('binary')), password);
  const bags = p12.getBags({ bagType: f.pki.oids.certBag })[f.pki.oids.certBag!] ?? [];
  // forge parses RSA certificates only; others (EC…) come as ASN.1, which Node reads
  const pem = (b: (typeof bags)[number]) =>
    b.cert ? f.pki.certificateToPem(b.cert) : new X509Certificate(Buffer.from(f.asn1.toDer(b.asn1!).getBytes(), 'binary')).toString();
  const usable = bags.filter((b) => b.cert || b.asn1);
  const trusted = usable.filter((b) => !b.attributes.localKeyId);
  return (trusted.length ? trusted : usable).map(pem);
}

/**
 * The trusted certificates of a trust store, as PEM: a JKS store's trusted certificate entries (else its key entries'
 * chains), a PKCS12 store's certificates (keytool's or openssl's), a PEM file's certificates.
 */
export function trustedCertificates(data: Buffer, password: string): string[] {
  const format = detectKeyStoreFormat(data);
  let certs: string[];
  if (format === 'PEM') certs = pemBlocks(data.toString('latin1'), 'CERTIFICATE');
  else if (format === 'JKS' || format === 'PKCS12') {
    try {
      if (format === 'JKS') {
        const entries = Object.values(jks().toPem(data, password));
        const ca = entries.flatMap((e) => (e.ca ? [e.ca] : []));
        certs = ca.length ? ca : entries.flatMap((e) => (e.cert ? pemBlocks(e.cert, 'CERTIFICATE') : []));
      } else certs = pkcs12Certificates(data, password);
    } catch (e) {
      throw storeError(format, e);
    }
  } else throw new KeyStoreError('format', 'it is not a JKS, PKCS12 or PEM file');
  if (!certs.length) throw new KeyStoreError('empty', 'it has no certificate');
  return certs;
}

/** A client certificate chain and its key, as Node's TLS options take them. */
export type KeyMaterial = { cert: string; key: string; passphrase?: string } | { pfx: Buffer; passphrase: string };

/**
 * The first private key entry of a key store (its certificate chain and key): a JKS store's (jks-js decrypts the key
 * with `keyPassword`, default the store password), a PKCS12 store as is (Node reads it), a PEM file's key (encrypted
 * with `keyPassword`, if at all) and certificates. Checked by loading it into a secure context.
 */
export function privateKeyEntry(data: Buffer, storePassword: string, keyPassword?: string): KeyMaterial {
  const format = detectKeyStoreFormat(data);
  let material: KeyMaterial;
  if (format === 'PEM') {
    const text = data.toString('latin1');
    const key = pemBlocks(text, 'PRIVATE KEY')[0];
    const certs = pemBlocks(text, 'CERTIFICATE');
    if (!key || !certs.length)
      throw new KeyStoreError('empty', `it has no ${key ? 'certificate' : 'private key'} (PEM: a private key and its certificate chain)`);
    material = { cert: certs.join('\n'), key, ...(keyPassword ? { passphrase: keyPassword } : {}) };
  } else if (format === 'JKS') {
    let entry: { cert?: string; key?: string } | undefined;
    try {
      entry = Object.values(jks().toPem(data, storePassword, keyPassword || storePassword)).find((e) => e.cert && e.key);
    } catch (e) {
      throw storeError('JKS', e);
    }
    if (!entry) throw new KeyStoreError('empty', 'it has no private key entry (a client certificate and its key)');
    material = { cert: entry.cert!, key: entry.key! };
  } else if (format === 'PKCS12') material = { pfx: data, passphrase: storePassword };
  else throw new KeyStoreError('format', 'it is not a JKS, PKCS12 or PEM file');
  try {
    createSecureContext(material);
  } catch (e) {
    const m = (e as Error).message;
    if (WRONG_PASSWORD.test(m)) throw new KeyStoreError('password', `wrong password (${m})`);
    throw new KeyStoreError('key', `the certificate and key do not load (${m})`);
  }
  return material;
}
