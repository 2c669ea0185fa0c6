/**
 * IP addresses and CIDR prefixes with Go `net/netip` parsing rules, plus the extra
 * restrictions of the Kubernetes CEL IP/CIDR libraries: no zones (`fe80::1%eth0`), no
 * IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`). IPv4 octets must be decimal without
 * leading zeros; prefix lengths must be decimal without sign or leading zeros.
 * Error messages follow Go's wording.
 */

export class AddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AddressError';
  }
}

const quote = (s: string) => JSON.stringify(s);

function addrError(input: string, msg: string, at?: string): AddressError {
  return new AddressError(`ParseAddr(${quote(input)}): ${msg}${at ? ` (at ${quote(at)})` : ''}`);
}

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address, with an optional zone as parsed. */
export class IPAddr {
  constructor(
    readonly bytes: Uint8Array,
    readonly zone = '',
  ) {}

  get family(): 4 | 6 {
    return this.bytes.length === 4 ? 4 : 6;
  }

  is4In6(): boolean {
    if (this.bytes.length !== 16) return false;
    for (let i = 0; i < 10; i++) if (this.bytes[i] !== 0) return false;
    return this.bytes[10] === 0xff && this.bytes[11] === 0xff;
  }

  private u16(i: number): number {
    return (this.bytes[2 * i]! << 8) | this.bytes[2 * i + 1]!;
  }

  isUnspecified(): boolean {
    return this.bytes.every((b) => b === 0);
  }

  isLoopback(): boolean {
    if (this.family === 4) return this.bytes[0] === 127;
    return this.bytes.every((b, i) => (i === 15 ? b === 1 : b === 0));
  }

  isMulticast(): boolean {
    return this.family === 4 ? (this.bytes[0]! & 0xf0) === 0xe0 : this.bytes[0] === 0xff;
  }

  isLinkLocalMulticast(): boolean {
    if (this.family === 4) return this.bytes[0] === 224 && this.bytes[1] === 0 && this.bytes[2] === 0;
    return (this.u16(0) & 0xff0f) === 0xff02;
  }

  isLinkLocalUnicast(): boolean {
    if (this.family === 4) return this.bytes[0] === 169 && this.bytes[1] === 254;
    return (this.u16(0) & 0xffc0) === 0xfe80;
  }

  isGlobalUnicast(): boolean {
    if (this.family === 4) {
      const b = this.bytes;
      if (b.every((x) => x === 0) || b.every((x) => x === 255)) return false;
    } else if (this.isUnspecified()) {
      return false;
    }
    return !this.isLoopback() && !this.isMulticast() && !this.isLinkLocalUnicast();
  }

  equals(o: IPAddr): boolean {
    return this.zone === o.zone && this.bytes.length === o.bytes.length && this.bytes.every((b, i) => b === o.bytes[i]);
  }

  /** Go's Addr.String(): dotted quad, or RFC 5952 IPv6 with the first longest zero run as `::`. */
  toString(): string {
    if (this.family === 4) return Array.from(this.bytes).join('.');
    if (this.is4In6()) return `::ffff:${Array.from(this.bytes.slice(12)).join('.')}${this.zone ? '%' + this.zone : ''}`;
    let zeroStart = -1;
    let zeroEnd = -1;
    for (let i = 0; i < 8; i++) {
      let j = i;
      while (j < 8 && this.u16(j) === 0) j++;
      if (j - i >= 2 && j - i > zeroEnd - zeroStart) ((zeroStart = i), (zeroEnd = j));
    }
    let out = '';
    for (let i = 0; i < 8; i++) {
      if (i === zeroStart) {
        out += '::';
        i = zeroEnd - 1;
        continue;
      }
      if (i > 0 && !out.endsWith(':')) out += ':';
      out += this.u16(i).toString(16);
    }
    return out + (this.zone ? '%' + this.zone : '');
  }
}

function parseIPv4Fields(input: string, s: string, out: Uint8Array, at: number): void {
  let val = 0;
  let pos = 0;
  let digLen = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digLen === 1 && val === 0) throw addrError(input, 'IPv4 field has octet with leading zero');
      val = val * 10 + (c - 48);
      digLen++;
      if (val > 255) throw addrError(input, 'IPv4 field has value >255');
    } else if (c === 46) {
      if (i === 0 || i === s.length - 1 || s[i - 1] === '.') throw addrError(input, 'IPv4 field must have at least one digit', s.slice(i));
      if (pos === 3) throw addrError(input, 'IPv4 address too long');
      out[at + pos] = val;
      pos++;
      val = 0;
      digLen = 0;
    } else {
      throw addrError(input, 'unexpected character', s.slice(i));
    }
  }
  if (pos < 3) throw addrError(input, 'IPv4 address too short');
  out[at + 3] = val;
}

function parseIPv6(input: string): IPAddr {
  let s = input;
  let zone = '';
  const pct = s.indexOf('%');
  if (pct >= 0) {
    zone = s.slice(pct + 1);
    s = s.slice(0, pct);
    if (zone === '') throw addrError(input, 'zone must be a non-empty string');
  }
  const ip = new Uint8Array(16);
  let ellipsis = -1;
  if (s.length >= 2 && s[0] === ':' && s[1] === ':') {
    ellipsis = 0;
    s = s.slice(2);
    if (s.length === 0) return new IPAddr(ip, zone);
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const c = s[off]!;
      const d = parseInt(c, 16);
      if (!/[0-9a-fA-F]/.test(c)) break;
      acc = (acc << 4) + d;
      if (off > 3) throw addrError(input, 'each colon-separated field must have at most 4 hex digits', s);
      if (acc > 0xffff) throw addrError(input, 'IPv6 field has value >=2^16', s);
    }
    if (off === 0) throw addrError(input, 'each colon-separated field must have at least one digit', s);
    if (off < s.length && s[off] === '.') {
      if (ellipsis < 0 && i !== 12) throw addrError(input, 'embedded IPv4 address must replace the final 2 fields of the address', s);
      if (i + 4 > 16) throw addrError(input, 'too many hex fields to fit an embedded IPv4 at the end of the address', s);
      parseIPv4Fields(input, s, ip, i);
      s = '';
      i += 4;
      break;
    }
    ip[i] = acc >> 8;
    ip[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(off);
    if (s.length === 0) break;
    if (s[0] !== ':') throw addrError(input, 'unexpected character, want colon', s);
    if (s.length === 1) throw addrError(input, 'colon must be followed by more characters', s);
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) throw addrError(input, 'multiple :: in address', s);
      ellipsis = i;
      s = s.slice(1);
      if (s.length === 0) break;
    }
  }
  if (s.length !== 0) throw addrError(input, 'trailing garbage after address', s);
  if (i < 16) {
    if (ellipsis < 0) throw addrError(input, 'address string too short');
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j]!;
    ip.fill(0, ellipsis, ellipsis + n);
  } else if (ellipsis >= 0) {
    throw addrError(input, 'the :: must expand to at least one field of zeros', s);
  }
  return new IPAddr(ip, zone);
}

/** Go's netip.ParseAddr. */
export function netipParseAddr(s: string): IPAddr {
  for (let i = 0; i < s.length; i++) {
    switch (s[i]) {
      case '.': {
        const b = new Uint8Array(4);
        parseIPv4Fields(s, s, b, 0);
        return new IPAddr(b);
      }
      case ':':
        return parseIPv6(s);
      case '%':
        throw addrError(s, 'missing IPv6 address');
    }
  }
  throw addrError(s, 'unable to parse IP');
}

/** The Kubernetes `ip()` parser. */
export function parseIP(raw: string): IPAddr {
  let addr: IPAddr;
  try {
    addr = netipParseAddr(raw);
  } catch (e) {
    throw new AddressError(`IP Address ${quote(raw)} parse error during conversion from string: ${(e as Error).message}`);
  }
  if (addr.zone !== '') throw new AddressError(`IP address ${quote(raw)} with zone value is not allowed`);
  if (addr.is4In6()) throw new AddressError(`IPv4-mapped IPv6 address ${quote(raw)} is not allowed`);
  return addr;
}

export function isIP(raw: string): boolean {
  try {
    parseIP(raw);
    return true;
  } catch {
    return false;
  }
}

/** `ip.isCanonical(s)`: s is an allowed address written in its canonical form. */
export function ipIsCanonical(raw: string): boolean {
  return parseIP(raw).toString() === raw;
}

export class CIDR {
  constructor(
    readonly addr: IPAddr,
    readonly bits: number,
  ) {}

  masked(): CIDR {
    return new CIDR(new IPAddr(maskBytes(this.addr.bytes, this.bits)), this.bits);
  }

  containsIP(ip: IPAddr): boolean {
    if (ip.zone !== '' || ip.bytes.length !== this.addr.bytes.length) return false;
    const a = maskBytes(this.addr.bytes, this.bits);
    const b = maskBytes(ip.bytes, this.bits);
    return a.every((x, i) => x === b[i]);
  }

  containsCIDR(other: CIDR): boolean {
    // Kubernetes: Masked() == PrefixFrom(other.Addr(), bits) && bits <= other.bits.
    if (other.addr.bytes.length !== this.addr.bytes.length) return false;
    const a = maskBytes(this.addr.bytes, this.bits);
    const b = maskBytes(other.addr.bytes, this.bits);
    return a.every((x, i) => x === b[i]) && this.bits <= other.bits;
  }

  equals(o: CIDR): boolean {
    return this.bits === o.bits && this.addr.equals(o.addr);
  }

  toString(): string {
    return `${this.addr.toString()}/${this.bits}`;
  }
}

function maskBytes(bytes: Uint8Array, bits: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    out[i] = out[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

/** Go's netip.ParsePrefix. */
export function netipParsePrefix(s: string): CIDR {
  const err = (msg: string) => new AddressError(`netip.ParsePrefix(${quote(s)}): ${msg}`);
  const i = s.lastIndexOf('/');
  if (i < 0) throw err("no '/'");
  let ip: IPAddr;
  try {
    ip = netipParseAddr(s.slice(0, i));
  } catch (e) {
    throw err((e as Error).message);
  }
  if (ip.family === 6 && ip.zone !== '') throw err('IPv6 zones cannot be present in a prefix');
  const bitsStr = s.slice(i + 1);
  if (!/^(0|[1-9][0-9]*)$/.test(bitsStr)) throw err(`bad bits after slash: ${quote(bitsStr)}`);
  const bits = bitsStr.length > 4 ? Infinity : Number(bitsStr);
  if (bits > (ip.family === 6 ? 128 : 32)) throw err('prefix length out of range');
  return new CIDR(ip, bits);
}

/** The Kubernetes `cidr()` parser. */
export function parseCIDR(raw: string): CIDR {
  let p: CIDR;
  try {
    p = netipParsePrefix(raw);
  } catch (e) {
    throw new AddressError(`network address parse error during conversion from string: network address parse error during conversion from string: ${(e as Error).message}`);
  }
  if (p.addr.is4In6()) throw new AddressError(`IPv4-mapped IPv6 address ${quote(raw)} is not allowed`);
  return p;
}

export function isCIDR(raw: string): boolean {
  try {
    parseCIDR(raw);
    return true;
  } catch {
    return false;
  }
}
