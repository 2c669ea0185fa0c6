/**
 * URLs as the Kubernetes CEL URL library sees them: Go's `url.ParseRequestURI` (an
 * absolute URI or an absolute path; no fragment handling) and the URL accessors
 * Scheme, Host, Hostname(), Port(), EscapedPath() and Query(). Error messages follow
 * Go's wording (`parse "x": invalid URI for request`).
 */

export class URLError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'URLError';
  }
}

type Mode = 'path' | 'host' | 'zone' | 'userPassword' | 'queryComponent';

const quote = (s: string) => JSON.stringify(s);
const isAlnum = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

function shouldEscape(c: number, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  const ch = String.fromCharCode(c);
  if ((mode === 'host' || mode === 'zone') && `!$&'()*+,;=:[]<>"`.includes(ch)) return false;
  if ('-_.~'.includes(ch)) return false;
  if ('$&+,/:;=?@'.includes(ch)) {
    switch (mode) {
      case 'userPassword':
        return '@/?:'.includes(ch);
      case 'queryComponent':
        return true;
      case 'path':
        return ch === '?';
      default:
        break;
    }
  }
  return true;
}

/** Go's url.unescape over UTF-8 bytes. */
function unescape(s: string, mode: Mode): string {
  const bytes = Buffer.from(s, 'utf8');
  for (let i = 0; i < bytes.length; ) {
    const c = bytes[i]!;
    if (c === 0x25) {
      if (i + 2 >= bytes.length || !isHex(bytes[i + 1]!) || !isHex(bytes[i + 2]!)) {
        throw new URLError(`invalid URL escape ${quote(bytes.subarray(i, i + 3).toString('latin1'))}`);
      }
      const esc = bytes.subarray(i, i + 3).toString('latin1');
      if (mode === 'host' && parseInt(esc[1]!, 16) < 8 && esc !== '%25') throw new URLError(`invalid URL escape ${quote(esc)}`);
      if (mode === 'zone') {
        const v = parseInt(esc.slice(1), 16);
        if (esc !== '%25' && v < 0x80 && shouldEscape(v, 'host')) throw new URLError(`invalid URL escape ${quote(esc)}`);
      }
      i += 3;
    } else {
      if ((mode === 'host' || mode === 'zone') && c < 0x80 && shouldEscape(c, mode)) {
        throw new URLError(`invalid character ${quote(String.fromCharCode(c))} in host name`);
      }
      i++;
    }
  }
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x25) {
      out.push(parseInt(bytes.subarray(i + 1, i + 3).toString('latin1'), 16));
      i += 2;
    } else if (c === 0x2b && mode === 'queryComponent') out.push(0x20);
    else out.push(c);
  }
  return Buffer.from(out).toString('utf8');
}

function escape(s: string, mode: Mode): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    if (b === 0x20 && mode === 'queryComponent') out += '+';
    else if (shouldEscape(b, mode)) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
    else out += String.fromCharCode(b);
  }
  return out;
}

function validEncoded(s: string, mode: Mode): boolean {
  for (const b of Buffer.from(s, 'utf8')) {
    if (`!$&'()*+,;=:@[]%`.includes(String.fromCharCode(b)) && b < 0x80) continue;
    if (shouldEscape(b, mode)) return false;
  }
  return true;
}

function validOptionalPort(port: string): boolean {
  if (port === '') return true;
  if (port[0] !== ':') return false;
  return /^[0-9]*$/.test(port.slice(1));
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) throw new URLError("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new URLError(`invalid port ${quote(colonPort)} after host`);
    const zone = host.slice(0, i).indexOf('%25');
    if (zone >= 0) {
      return unescape(host.slice(0, zone), 'host') + unescape(host.slice(zone, i), 'zone') + unescape(host.slice(i), 'host');
    }
  } else {
    const i = host.lastIndexOf(':');
    if (i >= 0) {
      const colonPort = host.slice(i);
      if (!validOptionalPort(colonPort)) throw new URLError(`invalid port ${quote(colonPort)} after host`);
    }
  }
  return unescape(host, 'host');
}

function validUserinfo(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (isAlnum(c)) continue;
    if (!"-._:~!$&'()*+,;=%@".includes(ch)) return false;
  }
  return true;
}

export class ParsedURL {
  scheme = '';
  opaque = '';
  host = '';
  path = '';
  rawPath = '';
  rawQuery = '';

  hostname(): string {
    return splitHostPort(this.host)[0];
  }

  port(): string {
    return splitHostPort(this.host)[1];
  }

  escapedPath(): string {
    if (this.rawPath !== '' && validEncoded(this.rawPath, 'path')) return this.rawPath;
    if (this.path === '*') return '*';
    return escape(this.path, 'path');
  }

  /** url.Values: every key with its values in order; malformed pairs are skipped. */
  query(): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const part of this.rawQuery === '' ? [] : this.rawQuery.split('&')) {
      if (part.includes(';') || part === '') continue;
      const eq = part.indexOf('=');
      const rawKey = eq < 0 ? part : part.slice(0, eq);
      const rawValue = eq < 0 ? '' : part.slice(eq + 1);
      let key: string;
      let value: string;
      try {
        key = unescape(rawKey, 'queryComponent');
        value = unescape(rawValue, 'queryComponent');
      } catch {
        continue;
      }
      const list = m.get(key);
      if (list) list.push(value);
      else m.set(key, [value]);
    }
    return m;
  }
}

function splitHostPort(hostPort: string): [string, string] {
  let host = hostPort;
  let port = '';
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && validOptionalPort(host.slice(colon))) {
    port = host.slice(colon + 1);
    host = host.slice(0, colon);
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return [host, port];
}

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) continue;
    if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === 58) {
      if (i === 0) throw new URLError('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

/** Go's url.ParseRequestURI. */
export function parseRequestURI(raw: string): ParsedURL {
  try {
    return parseInner(raw);
  } catch (e) {
    if (e instanceof URLError) throw new URLError(`parse ${quote(raw)}: ${e.message}`);
    throw e;
  }
}

function parseInner(raw: string): ParsedURL {
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new URLError('net/url: invalid control character in URL');
  if (raw === '') throw new URLError('empty url');
  const u = new ParsedURL();
  if (raw === '*') {
    u.path = '*';
    return u;
  }
  let rest: string;
  [u.scheme, rest] = getScheme(raw);
  u.scheme = u.scheme.toLowerCase();
  if (rest.endsWith('?') && rest.split('?').length === 2) {
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf('?');
    if (q >= 0) {
      u.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith('/')) {
    if (u.scheme !== '') {
      u.opaque = rest;
      return u;
    }
    throw new URLError('invalid URI for request');
  }
  if (u.scheme !== '' && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    const at = authority.lastIndexOf('@');
    u.host = parseHost(at < 0 ? authority : authority.slice(at + 1));
    if (at >= 0 && !validUserinfo(authority.slice(0, at))) throw new URLError('net/url: invalid userinfo');
  }
  u.path = unescape(rest, 'path');
  u.rawPath = escape(u.path, 'path') === rest ? '' : rest;
  return u;
}

export function isURL(raw: string): boolean {
  try {
    parseRequestURI(raw);
    return true;
  } catch {
    return false;
  }
}
