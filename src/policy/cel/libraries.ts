/**
 * Registration of the Kubernetes CEL libraries (lists, sets, quantity, IP, CIDR, URL,
 * semver, format) and the optional-type helpers cel-js lacks, on a cel-js Environment.
 * Type names follow Kubernetes (`kubernetes.Quantity`, `net.IP`, `net.CIDR`, …) so error
 * messages read the same.
 */
import { Environment, Optional } from '@marcbachmann/cel-js';
import { charge } from './cost.js';
import { INTERNAL_PREFIX as P } from './errors.js';
import { NAMED_FORMATS, NamedFormat } from './format.js';
import { AddressError, CIDR, IPAddr, ipIsCanonical, isCIDR, isIP, parseCIDR, parseIP } from './ip.js';
import { isQuantity, Quantity, QuantityError } from './quantity.js';
import { asInt64, Semver, SemverError } from './semver.js';
import { ParsedURL, parseRequestURI, URLError, isURL } from './url.js';
import { celCompare, celEquals, Duration, fail, isUint, isZeroValue, UnsignedInt } from './values.js';

type Handler = (...args: never[]) => unknown;

function guard<T>(f: () => T, ...errors: (abstract new (...a: never[]) => Error)[]): T {
  try {
    return f();
  } catch (e) {
    if (errors.some((E) => e instanceof E)) fail((e as Error).message);
    throw e;
  }
}

// --- lists (k8s.io/apiserver/pkg/cel/library/lists.go) ----------------------------------

function listSum(list: unknown[]): unknown {
  if (list.length === 0) return 0n;
  let acc: unknown = list[0];
  for (let i = 1; i < list.length; i++) {
    const v = list[i];
    if (typeof acc === 'bigint' && typeof v === 'bigint') {
      acc = acc + v;
      if ((acc as bigint) > (1n << 63n) - 1n || (acc as bigint) < -(1n << 63n)) fail('integer overflow');
    } else if (typeof acc === 'number' && typeof v === 'number') acc = acc + v;
    else if (isUint(acc) && isUint(v)) acc = new (UnsignedInt as unknown as new (v: bigint) => unknown)(acc.valueOf() + v.valueOf());
    else if (acc instanceof Duration && v instanceof Duration) acc = (acc as unknown as { addDuration(d: unknown): unknown }).addDuration(v);
    else fail(`no such overload: sum of ${typeof acc} and ${typeof v}`);
  }
  return acc;
}

function listExtreme(list: unknown[], name: 'min' | 'max'): unknown {
  if (list.length === 0) fail(`${name} called on empty list`);
  let best = list[0];
  for (let i = 1; i < list.length; i++) {
    const c = celCompare(list[i], best);
    if ((name === 'min' && c < 0) || (name === 'max' && c > 0)) best = list[i];
  }
  return best;
}

function registerLists(env: Environment): void {
  const fn = (sig: string, h: Handler) => env.registerFunction(sig, h as never);
  fn('list.isSorted(): bool', (l: unknown[]) => {
    for (let i = 1; i < l.length; i++) if (celCompare(l[i - 1], l[i]) > 0) return false;
    return true;
  });
  fn('list.sum(): dyn', (l: unknown[]) => listSum(l));
  fn('list.min(): dyn', (l: unknown[]) => listExtreme(l, 'min'));
  fn('list.max(): dyn', (l: unknown[]) => listExtreme(l, 'max'));
  fn(`list.${P}indexOf(dyn): int`, (l: unknown[], v: unknown) => BigInt(l.findIndex((e) => celEquals(e, v))));
  fn(`list.${P}lastIndexOf(dyn): int`, (l: unknown[], v: unknown) => {
    for (let i = l.length - 1; i >= 0; i--) if (celEquals(l[i], v)) return BigInt(i);
    return -1n;
  });
}

// --- sets (cel-go ext/sets.go) -----------------------------------------------------------

class SetsNamespace {}

function containsAll(a: unknown[], b: unknown[]): boolean {
  charge(Math.floor((a.length * b.length) / 10));
  return b.every((x) => a.some((y) => celEquals(x, y)));
}

function registerSets(env: Environment): void {
  env.registerType('SetsNamespace', SetsNamespace);
  env.registerConstant('sets', 'SetsNamespace', new SetsNamespace());
  const fn = (sig: string, h: Handler) => env.registerFunction(sig, h as never);
  fn('SetsNamespace.contains(list, list): bool', (_: unknown, a: unknown[], b: unknown[]) => containsAll(a, b));
  fn('SetsNamespace.equivalent(list, list): bool', (_: unknown, a: unknown[], b: unknown[]) => containsAll(a, b) && containsAll(b, a));
  fn('SetsNamespace.intersects(list, list): bool', (_: unknown, a: unknown[], b: unknown[]) => {
    charge(Math.floor((a.length * b.length) / 10));
    return a.some((x) => b.some((y) => celEquals(x, y)));
  });
}

// --- quantity -------------------------------------------------------------------------------

const Q = 'kubernetes.Quantity';

function registerQuantity(env: Environment): void {
  env.registerType(Q, Quantity);
  const fn = (sig: string, h: Handler) => env.registerFunction(sig, h as never);
  fn(`quantity(string): ${Q}`, (s: string) => guard(() => Quantity.parse(s), QuantityError));
  fn('isQuantity(string): bool', (s: string) => isQuantity(s));
  fn(`sign(${Q}): int`, (q: Quantity) => q.sign());
  fn(`${Q}.sign(): int`, (q: Quantity) => q.sign());
  fn(`${Q}.isGreaterThan(${Q}): bool`, (a: Quantity, b: Quantity) => a.compareTo(b) === 1n);
  fn(`${Q}.isLessThan(${Q}): bool`, (a: Quantity, b: Quantity) => a.compareTo(b) === -1n);
  fn(`${Q}.compareTo(${Q}): int`, (a: Quantity, b: Quantity) => a.compareTo(b));
  fn(`${Q}.asApproximateFloat(): double`, (q: Quantity) => q.asApproximateFloat());
  fn(`${Q}.asInteger(): int`, (q: Quantity) => q.asInt64() ?? fail('cannot convert value to integer'));
  fn(`${Q}.isInteger(): bool`, (q: Quantity) => q.asInt64() !== undefined);
  fn(`${Q}.add(${Q}): ${Q}`, (a: Quantity, b: Quantity) => guard(() => a.add(b), QuantityError));
  fn(`${Q}.add(int): ${Q}`, (a: Quantity, b: bigint) => guard(() => a.add(Quantity.fromInt(b)), QuantityError));
  fn(`${Q}.sub(${Q}): ${Q}`, (a: Quantity, b: Quantity) => guard(() => a.sub(b), QuantityError));
  fn(`${Q}.sub(int): ${Q}`, (a: Quantity, b: bigint) => guard(() => a.sub(Quantity.fromInt(b)), QuantityError));
  fn(`${Q}.mul(int): ${Q}`, (a: Quantity, b: bigint) => guard(() => a.mul(b), QuantityError));
  env.registerOperator(`${Q} == ${Q}`, (a: Quantity, b: Quantity) => a.equals(b));
}

// --- IP and CIDR ------------------------------------------------------------------------------

const IPT = 'net.IP';
const CIDRT = 'net.CIDR';
class IPNamespace {}

function registerNetwork(env: Environment): void {
  env.registerType(IPT, IPAddr);
  env.registerType(CIDRT, CIDR);
  env.registerType('IPNamespace', IPNamespace);
  env.registerConstant('ip', 'IPNamespace', new IPNamespace());
  const fn = (sig: string, h: Handler) => env.registerFunction(sig, h as never);
  fn(`ip(string): ${IPT}`, (s: string) => guard(() => parseIP(s), AddressError));
  fn('isIP(string): bool', (s: string) => isIP(s));
  fn('IPNamespace.isCanonical(string): bool', (_: unknown, s: string) => guard(() => ipIsCanonical(s), AddressError));
  fn(`string(${IPT}): string`, (a: IPAddr) => a.toString());
  fn(`${IPT}.family(): int`, (a: IPAddr) => BigInt(a.family));
  fn(`${IPT}.isUnspecified(): bool`, (a: IPAddr) => a.isUnspecified());
  fn(`${IPT}.isLoopback(): bool`, (a: IPAddr) => a.isLoopback());
  fn(`${IPT}.isLinkLocalMulticast(): bool`, (a: IPAddr) => a.isLinkLocalMulticast());
  fn(`${IPT}.isLinkLocalUnicast(): bool`, (a: IPAddr) => a.isLinkLocalUnicast());
  fn(`${IPT}.isGlobalUnicast(): bool`, (a: IPAddr) => a.isGlobalUnicast());
  env.registerOperator(`${IPT} == ${IPT}`, (a: IPAddr, b: IPAddr) => a.equals(b));

  fn(`cidr(string): ${CIDRT}`, (s: string) => guard(() => parseCIDR(s), AddressError));
  fn('isCIDR(string): bool', (s: string) => isCIDR(s));
  fn(`string(${CIDRT}): string`, (c: CIDR) => c.toString());
  fn(`${CIDRT}.containsIP(${IPT}): bool`, (c: CIDR, a: IPAddr) => c.containsIP(a));
  fn(`${CIDRT}.containsIP(string): bool`, (c: CIDR, s: string) => c.containsIP(guard(() => parseIP(s), AddressError)));
  fn(`${CIDRT}.containsCIDR(${CIDRT}): bool`, (c: CIDR, o: CIDR) => c.containsCIDR(o));
  fn(`${CIDRT}.containsCIDR(string): bool`, (c: CIDR, s: string) => c.containsCIDR(guard(() => parseCIDR(s), AddressError)));
  fn(`${CIDRT}.ip(): ${IPT}`, (c: CIDR) => c.addr);
  fn(`${CIDRT}.masked(): ${CIDRT}`, (c: CIDR) => c.masked());
  fn(`${CIDRT}.prefixLength(): int`, (c: CIDR) => BigInt(c.bits));
  env.registerOperator(`${CIDRT} == ${CIDRT}`, (a: CIDR, b: CIDR) => a.equals(b));
}

// --- URL ----------------------------------------------------------------------------------------

const URLT = 'kubernetes.URL';

function registerURL(env: Environment): void {
  env.registerType(URLT, ParsedURL);
  const fn = (sig: string, h: Handler) => env.registerFunction(sig, h as never);
  fn(`url(string): ${URLT}`, (s: string) =>
    guard(() => {
      try {
        return parseRequestURI(s);
      } catch (e) {
        if (e instanceof URLError) throw new URLError(`URL parse error during conversion from string: ${e.message}`);
        throw e;
      }
    }, URLError),
  );
  fn('isURL(string): bool', (s: string) => isURL(s));
  fn(`${URLT}.getScheme(): string`, (u: ParsedURL) => u.scheme);
  fn(`${URLT}.getHost(): string`, (u: ParsedURL) => u.host);
  fn(`${URLT}.getHostname(): string`, (u: ParsedURL) => u.hostname());
  fn(`${URLT}.getPort(): string`, (u: ParsedURL) => u.port());
  fn(`${URLT}.getEscapedPath(): string`, (u: ParsedURL) => u.escapedPath());
  fn(`${URLT}.getQuery(): map<string, list<string>>`, (u: ParsedURL) => {
    const out: Record<string, string[]> = Object.create(null);
    for (const [k, v] of u.query()) out[k] = v;
    return out;
  });
}

// --- semver ---------------------------------------------------------------------------------------

const SV = 'kubernetes.Semver';

function registerSemver(env: Environment): void {
  env.registerType(SV, Semver);
  const fn = (sig: string, h: Handler) => env.registerFunction(sig, h as never);
  const parse = (s: string, normalize: boolean) => guard(() => (normalize ? Semver.parseNormalized(s) : Semver.parse(s)), SemverError);
  const ok = (s: string, normalize: boolean) => {
    try {
      parse(s, normalize);
      return true;
    } catch {
      return false;
    }
  };
  fn(`semver(string): ${SV}`, (s: string) => parse(s, false));
  fn(`semver(string, bool): ${SV}`, (s: string, n: boolean) => parse(s, n));
  fn('isSemver(string): bool', (s: string) => ok(s, false));
  fn('isSemver(string, bool): bool', (s: string, n: boolean) => ok(s, n));
  fn(`${SV}.major(): int`, (v: Semver) => asInt64(v.major));
  fn(`${SV}.minor(): int`, (v: Semver) => asInt64(v.minor));
  fn(`${SV}.patch(): int`, (v: Semver) => asInt64(v.patch));
  fn(`${SV}.isGreaterThan(${SV}): bool`, (a: Semver, b: Semver) => a.compareTo(b) === 1n);
  fn(`${SV}.isLessThan(${SV}): bool`, (a: Semver, b: Semver) => a.compareTo(b) === -1n);
  fn(`${SV}.compareTo(${SV}): int`, (a: Semver, b: Semver) => a.compareTo(b));
  env.registerOperator(`${SV} == ${SV}`, (a: Semver, b: Semver) => a.compareTo(b) === 0n);
}

// --- format -----------------------------------------------------------------------------------------

const NF = 'kubernetes.NamedFormat';
class FormatNamespace {}

function registerFormat(env: Environment): void {
  env.registerType(NF, NamedFormat);
  env.registerType('FormatNamespace', FormatNamespace);
  env.registerConstant('format', 'FormatNamespace', new FormatNamespace());
  const fn = (sig: string, h: Handler) => env.registerFunction(sig, h as never);
  for (const [name, f] of NAMED_FORMATS) fn(`FormatNamespace.${name}(): ${NF}`, () => f);
  fn(`FormatNamespace.named(string): optional<${NF}>`, (_: unknown, name: string) => {
    const f = NAMED_FORMATS.get(name);
    return f === undefined ? Optional.none() : Optional.of(f);
  });
  fn(`${NF}.validate(string): optional<list<string>>`, (f: NamedFormat, s: string) => {
    const errs = f.validate(s);
    return errs.length === 0 ? Optional.none() : Optional.of(errs);
  });
}

// --- optional extras ------------------------------------------------------------------------------------

function registerOptionalExtras(env: Environment): void {
  env.registerFunction('OptionalNamespace.ofNonZeroValue(A): optional<A>', ((_: unknown, v: unknown) =>
    isZeroValue(v) ? Optional.none() : Optional.of(v)) as never);
}

export function registerKubernetesLibraries(env: Environment): void {
  registerLists(env);
  registerSets(env);
  registerQuantity(env);
  registerNetwork(env);
  registerURL(env);
  registerSemver(env);
  registerFormat(env);
  registerOptionalExtras(env);
}
