/**
 * Just enough X.509 (RFC 5280) to make a webhook's CA and serving certificate without
 * openssl: node:crypto makes and signs with keys but cannot issue certificates. ECDSA P-256
 * keys, SHA-256 signatures, DER encoded by hand; the result is what Go's crypto/x509 (the
 * API server) and OpenSSL accept: v3, positive serial, subjectAltName for every name (Go
 * ignores the common name), keyUsage, extKeyUsage serverAuth, key identifiers.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

// DER: tag, length, contents.
function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, content]);
}
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const octets = (b: Buffer) => tlv(0x04, b);
const bitString = (b: Buffer, unusedBits = 0) => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), b]));
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const explicit = (n: number, inner: Buffer) => tlv(0xa0 + n, inner);

function integer(v: Buffer | number): Buffer {
  let b = typeof v === 'number' ? Buffer.from([v]) : v;
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && (b[i + 1]! & 0x80) === 0) i++;
  b = b.subarray(i);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function time(d: Date): Buffer {
  const y = d.getUTCFullYear();
  const pad = (n: number) => String(n).padStart(2, '0');
  const rest = `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
  return y < 2050 ? tlv(0x17, Buffer.from(`${String(y % 100).padStart(2, '0')}${rest}`)) : tlv(0x18, Buffer.from(`${y}${rest}`));
}

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

function name(cn: string, org?: string): Buffer {
  const rdns = [];
  if (org) rdns.push(set(seq(oid(OID.organization), utf8(org))));
  rdns.push(set(seq(oid(OID.commonName), utf8(cn))));
  return seq(...rdns);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  // Expand "::" and write eight 16-bit groups.
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function keyId(spkiDer: Buffer): Buffer {
  return createHash('sha1').update(spkiDer).digest();
}

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
  /** DER of the certificate. */
  der: Buffer;
  key: KeyObject;
  spki: Buffer;
}

export interface CertificateRequest {
  commonName: string;
  organization?: string;
  /** DNS names and IP addresses for subjectAltName. */
  names?: readonly string[];
  isCA?: boolean;
  /** Validity in days from now (the certificate is valid from 5 minutes ago, for clock skew). */
  days: number;
  usage?: 'server' | 'client' | 'server+client';
  /** The issuer; self-signed without one. */
  issuer?: { cert: IssuedCertificate; commonName: string; organization?: string };
  now?: Date;
}

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** Issues a certificate with a fresh P-256 key. */
export function issueCertificate(req: CertificateRequest): IssuedCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const now = req.now ?? new Date();
  const notBefore = new Date(now.getTime() - 5 * 60_000);
  const notAfter = new Date(now.getTime() + req.days * 86_400_000);
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40; // positive and of full length
  const issuerName = req.issuer ? name(req.issuer.commonName, req.issuer.organization) : name(req.commonName, req.organization);
  const signingKey = req.issuer ? req.issuer.cert.key : privateKey;
  const authorityKeyId = keyId(req.issuer ? req.issuer.cert.spki : spki);

  const exts: Buffer[] = [];
  if (req.isCA) {
    exts.push(extension(OID.basicConstraints, true, seq(bool(true), integer(0))));
    // keyCertSign (5), cRLSign (6), digitalSignature (0): 1000 0110, last bit unused.
    exts.push(extension(OID.keyUsage, true, bitString(Buffer.from([0x86]), 1)));
  } else {
    exts.push(extension(OID.basicConstraints, true, seq()));
    exts.push(extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)));
    const usage = req.usage ?? 'server';
    const ekus = [...(usage.includes('server') ? [oid(OID.serverAuth)] : []), ...(usage.includes('client') ? [oid(OID.clientAuth)] : [])];
    exts.push(extension(OID.extKeyUsage, false, seq(...ekus)));
  }
  const names = req.names ?? [];
  if (names.length) {
    const general = names.map((n) => (isIPv4(n) || isIPv6(n) ? tlv(0x87, ipBytes(n)) : tlv(0x82, Buffer.from(n, 'ascii'))));
    exts.push(extension(OID.subjectAltName, false, seq(...general)));
  }
  exts.push(extension(OID.subjectKeyIdentifier, false, octets(keyId(spki))));
  exts.push(extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, authorityKeyId))));

  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const tbs = seq(
    explicit(0, integer(2)),
    integer(serial),
    algorithm,
    issuerName,
    seq(time(notBefore), time(notAfter)),
    name(req.commonName, req.organization),
    spki,
    explicit(3, seq(...exts)),
  );
  const signature = sign('sha256', tbs, signingKey);
  const der = seq(tbs, algorithm, bitString(signature));
  return { certPem: pem('CERTIFICATE', der), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, der, key: privateKey, spki };
}

/** A CA and a serving certificate for a webhook Service (and any extra names). */
export function webhookCertificates(opts: { service: string; namespace: string; extraNames?: readonly string[]; days?: number; now?: Date }): { ca: IssuedCertificate; server: IssuedCertificate } {
  const caName = `${opts.service}-ca`;
  const ca = issueCertificate({ commonName: caName, organization: 'palisade', isCA: true, days: (opts.days ?? 365) * 5, now: opts.now });
  const host = `${opts.service}.${opts.namespace}.svc`;
  const server = issueCertificate({
    commonName: host,
    organization: 'palisade',
    names: [...new Set([host, `${host}.cluster.local`, `${opts.service}.${opts.namespace}`, opts.service, ...(opts.extraNames ?? [])])],
    days: opts.days ?? 365,
    issuer: { cert: ca, commonName: caName, organization: 'palisade' },
    now: opts.now,
  });
  return { ca, server };
}
