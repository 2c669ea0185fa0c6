/**
 * Semantic versions as the Kubernetes CEL semver library parses them (blang/semver v4,
 * strict: MAJOR.MINOR.PATCH, no leading zeros, no "v"), with the optional normalisation
 * (`semver(s, true)`): strip one leading "v", pad missing minor/patch with 0, drop
 * leading zeros. Precedence follows semver.org; build metadata is ignored.
 */

export class SemverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SemverError';
  }
}

const NUM = /^[0-9]*$/;
const ALNUM = /^[0-9A-Za-z-]*$/;
const MAX_UINT64 = (1n << 64n) - 1n;

type PR = { numeric: true; n: bigint } | { numeric: false; s: string };

function parseUint(s: string, what: string): bigint {
  if (s === '' || !/^[0-9]+$/.test(s)) throw new SemverError(`strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v > MAX_UINT64) throw new SemverError(`strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range (${what})`);
  return v;
}

const hasLeadingZeroes = (s: string) => s.length > 1 && s[0] === '0';

export class Semver {
  private constructor(
    readonly major: bigint,
    readonly minor: bigint,
    readonly patch: bigint,
    readonly pre: readonly PR[],
    readonly build: readonly string[],
  ) {}

  static parse(s: string): Semver {
    if (s.length === 0) throw new SemverError('Version string empty');
    const firstDot = s.indexOf('.');
    const secondDot = firstDot < 0 ? -1 : s.indexOf('.', firstDot + 1);
    if (secondDot < 0) throw new SemverError('No Major.Minor.Patch elements found');
    const parts = [s.slice(0, firstDot), s.slice(firstDot + 1, secondDot), s.slice(secondDot + 1)];
    const nums: bigint[] = [];
    for (const [i, name] of ['major', 'minor'].entries()) {
      const p = parts[i]!;
      if (!NUM.test(p)) throw new SemverError(`Invalid character(s) found in ${name} number ${JSON.stringify(p)}`);
      if (hasLeadingZeroes(p)) throw new SemverError(`${name[0]!.toUpperCase() + name.slice(1)} number must not contain leading zeroes ${JSON.stringify(p)}`);
      nums.push(parseUint(p, name));
    }
    let patchStr = parts[2]!;
    let build: string[] = [];
    let pre: string[] = [];
    const plus = patchStr.indexOf('+');
    if (plus >= 0) {
      build = patchStr.slice(plus + 1).split('.');
      patchStr = patchStr.slice(0, plus);
    }
    const dash = patchStr.indexOf('-');
    if (dash >= 0) {
      pre = patchStr.slice(dash + 1).split('.');
      patchStr = patchStr.slice(0, dash);
    }
    if (!NUM.test(patchStr)) throw new SemverError(`Invalid character(s) found in patch number ${JSON.stringify(patchStr)}`);
    if (hasLeadingZeroes(patchStr)) throw new SemverError(`Patch number must not contain leading zeroes ${JSON.stringify(patchStr)}`);
    const patch = parseUint(patchStr, 'patch');
    const prs: PR[] = pre.map((p) => {
      if (p === '') throw new SemverError('Prerelease is empty');
      if (NUM.test(p)) {
        if (hasLeadingZeroes(p)) throw new SemverError(`Numeric PreRelease version must not contain leading zeroes ${JSON.stringify(p)}`);
        return { numeric: true, n: parseUint(p, 'prerelease') };
      }
      if (!ALNUM.test(p)) throw new SemverError(`Invalid character(s) found in prerelease ${JSON.stringify(p)}`);
      return { numeric: false, s: p };
    });
    for (const b of build) {
      if (b === '') throw new SemverError('Build meta data is empty');
      if (!ALNUM.test(b)) throw new SemverError(`Invalid character(s) found in build meta data ${JSON.stringify(b)}`);
    }
    return new Semver(nums[0]!, nums[1]!, patch, prs, build);
  }

  /** `semver(s, true)`. */
  static parseNormalized(s: string): Semver {
    if (s.startsWith('v')) s = s.slice(1);
    const first = s.indexOf('.');
    const second = first < 0 ? -1 : s.indexOf('.', first + 1);
    const parts = first < 0 ? [s] : second < 0 ? [s.slice(0, first), s.slice(first + 1)] : [s.slice(0, first), s.slice(first + 1, second), s.slice(second + 1)];
    for (let i = 0; i < parts.length; i++) {
      let p = parts[i]!;
      if (p.length > 1) {
        p = p.replace(/^0+/, '');
        if (p.length === 0 || !/[0-9]/.test(p[0]!)) p = '0' + p;
        parts[i] = p;
      }
    }
    if (parts.length < 3) {
      if (/[+-]/.test(parts[parts.length - 1]!)) throw new SemverError('short version cannot contain PreRelease/Build meta data');
      while (parts.length < 3) parts.push('0');
    }
    return Semver.parse(parts.join('.'));
  }

  compareTo(o: Semver): bigint {
    const cmp = (a: bigint, b: bigint) => (a === b ? 0n : a < b ? -1n : 1n);
    const c = cmp(this.major, o.major) || cmp(this.minor, o.minor) || cmp(this.patch, o.patch);
    if (c !== 0n) return c;
    if (this.pre.length === 0 && o.pre.length === 0) return 0n;
    if (this.pre.length === 0) return 1n;
    if (o.pre.length === 0) return -1n;
    let i = 0;
    for (; i < this.pre.length && i < o.pre.length; i++) {
      const a = this.pre[i]!;
      const b = o.pre[i]!;
      let r: bigint;
      if (a.numeric && b.numeric) r = cmp(a.n, b.n);
      else if (a.numeric) r = -1n;
      else if (b.numeric) r = 1n;
      else r = a.s === b.s ? 0n : a.s < b.s ? -1n : 1n;
      if (r !== 0n) return r;
    }
    if (i === this.pre.length && i === o.pre.length) return 0n;
    return i === this.pre.length ? -1n : 1n;
  }

  toString(): string {
    let s = `${this.major}.${this.minor}.${this.patch}`;
    if (this.pre.length) s += '-' + this.pre.map((p) => (p.numeric ? p.n.toString() : p.s)).join('.');
    if (this.build.length) s += '+' + this.build.join('.');
    return s;
  }
}

/** Go's types.Int(v.Major) conversion of a uint64 field. */
export function asInt64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}
