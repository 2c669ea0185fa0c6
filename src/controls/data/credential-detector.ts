/**
 * Recognises values that look like credentials, from the value itself and from the name
 * it is stored under. Used for ConfigMap entries (PAL-DATA-001) and literal environment
 * variables (PAL-DATA-002). It never returns or logs the value: a match names what was
 * recognised and, for configuration files held in one value, the inner key and line.
 *
 * Checks, in order (the first that matches wins):
 *
 * 1. Known formats (confidence high), anywhere in the value: PEM private keys; AWS
 *    access key ids (AKIA/ASIA/ABIA/ACCA + 16); GitHub (ghp_/gho_/ghu_/ghs_/ghr_,
 *    github_pat_), GitLab (glpat-, gldt-, glrt-, glptt-), Slack (xox?- tokens, incoming
 *    webhook URLs), Stripe live keys, Google API keys (AIza + 35), npm tokens, SendGrid
 *    keys, signed JWTs (three base64url parts, header and payload starting "eyJ"), URLs
 *    with a password (scheme://user:password@host), connection strings with
 *    Password=/Pwd= or AccountKey=, and literal "Authorization: Basic|Bearer" headers.
 *    A single-line base64 value that decodes to PEM is judged by its content: a private
 *    key is reported, a certificate or public key (a caBundle) is not secret.
 * 2. Credential-like name (confidence medium) with a literal value. The name is split into
 *    words (camelCase, snake_case, kebab-case, dots); it matches on password, passwd, pwd,
 *    pass, passphrase, secret, token, credential(s), creds, apikey, or word pairs such as
 *    api key, access key, private key, signing key, encryption key, master key, app key,
 *    client secret; or a word ending in password/secret/token/apikey ("dbPassword" →
 *    "db", "password"; "DBPASSWORD" as one word). It does not match when the last word
 *    says the value is about the credential rather than the credential itself: file,
 *    path, name, ref, url, ttl, length, enabled, type, id, hash and the like
 *    (PASSWORD_FILE, secretName, TOKEN_TTL, access_key_id).
 *    Values that are not literal credentials pass: empty or shorter than 4 characters,
 *    booleans and null-likes, numbers shorter than 6 digits, masks (****, xxxx),
 *    template references (${VAR}, $(VAR), {{ .Values.x }}, <your-token>, %(name)s),
 *    secret-manager references (vault:, ref+…://, arn:aws:secretsmanager:, …), file
 *    paths, URLs without credentials, and Kubernetes object names that name a secret
 *    ("db-credentials"). Well-known default passwords ("changeme", "admin",
 *    "password", …) are reported, with their own reason: a placeholder that ships is a
 *    password anyone can guess.
 * 3. Configuration files held in one value (several lines): each `key = value`,
 *    `key: value` or `"key": "value",` line is checked as in 2 under its own key.
 * 4. Random-looking value under any name (confidence low): one token of
 *    ENTROPY_MIN_LENGTH (24) to ENTROPY_MAX_LENGTH (1024) base64/base64url characters
 *    mixing upper case, lower case and digits, that passes two tests:
 *    - Shannon entropy of at least min(ENTROPY_BITS_CAP, ENTROPY_BITS_FACTOR × log2(length))
 *      bits per character, i.e. 3.9 at 24 characters, 4.25 at 32, capped at 4.5. Random
 *      base64 averages about 4.25 bits at 24 characters, 4.55 at 32 and 4.8 at 40.
 *    - it does not read like words: adjacent characters change class (upper case, lower
 *      case, digit, symbol) at least CLASS_CHANGE_MIN (45 %) of the time, and runs of
 *      lower-case letters average at most LOWER_RUN_MAX (2.75) characters. Random base64
 *      changes class about 65 % of the time and has lower-case runs of about 1.6;
 *      CamelCase identifiers ("ShopFrontendServiceAccount01", "ImagePullBackOff…")
 *      have runs of 3 or more, which entropy alone does not separate at these lengths.
 *    Measured with the detector on random base64 (4,000 samples each): about 9 % of
 *    24-character tokens, 5 % of 32 and 2.5 % of 48 are missed (the name test 2 still
 *    catches them under credential-like names); about 5 % of an adversarial set of
 *    CamelCase identifiers built from short words, with a number, are reported.
 *    Hex-only strings (hashes, digests, commit ids), UUIDs, values with dots, colons or
 *    "//" (hosts, versions, image references, URLs), base64 of a PEM certificate, and
 *    values under names saying they are hashes, ids, versions, images or checksums are
 *    left out: they are random but not secret. Longer tokens are encoded data.
 *
 * Cost: a webhook runs this on every literal env value of every review, so the common
 * case is kept cheap without changing any answer: one regex (KNOWN_FORMAT_HINT) lets go
 * of values that hold none of the formats' literals, and names are classified once
 * (single-pass split, bounded cache).
 */

export type Confidence = 'high' | 'medium' | 'low';

export interface CredentialMatch {
  /** What was recognised, in words, e.g. "AWS access key id". Never contains the value. */
  reason: string;
  confidence: Confidence;
  by: 'pattern' | 'name' | 'entropy';
  /** For a configuration file held in the value: the key of the offending line (a name). */
  innerKey?: string;
  /** 1-based line of that key in the value. */
  line?: number;
}

export const ENTROPY_MIN_LENGTH = 24;
export const ENTROPY_BITS_FACTOR = 0.85;
export const ENTROPY_BITS_CAP = 4.5;
export const CLASS_CHANGE_MIN = 0.45;
export const LOWER_RUN_MAX = 2.75;
/** Longer single tokens are encoded data (certificates, bundles), not typed-in credentials. */
export const ENTROPY_MAX_LENGTH = 1024;
const MAX_SCANNED = 1024 * 1024;
const MAX_LINES = 5000;

const PATTERNS: readonly [RegExp, string][] = [
  [/-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/, 'private key (PEM)'],
  [/(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/, 'AWS access key id'],
  [/\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/, 'GitHub token'],
  [/\b(?:glpat|gldt|glrt|glptt)-[A-Za-z0-9_-]{20,}/, 'GitLab token'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, 'Slack token'],
  [/https:\/\/hooks\.slack\.com\/services\/T[A-Za-z0-9]+\/B[A-Za-z0-9]+\/[A-Za-z0-9]{16,}/, 'Slack webhook URL'],
  [/\b[rs]k_live_[0-9A-Za-z]{20,}/, 'Stripe live key'],
  [/\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/, 'Google API key'],
  [/\bnpm_[A-Za-z0-9]{36}\b/, 'npm access token'],
  [/\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/, 'SendGrid API key'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/, 'JSON Web Token'],
  [/\bAccountKey=[A-Za-z0-9+/]{40,}={0,2}/, 'storage account key in a connection string'],
  [/\bAuthorization:\s*(?:Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{16,}/i, 'literal Authorization header'],
];

/** scheme://user:password@host, the password not being a template reference. */
const URL_WITH_PASSWORD = /\b[a-z][a-z0-9+.-]{1,30}:\/\/[^\s:@/?#]*:([^\s@/?#]+)@[^\s/?#]+/i;
/** ADO.NET / JDBC property style: ...;Password=secret;... */
const CONN_STRING_PASSWORD = /(?:^|;)\s*(?:password|pwd)\s*=\s*([^;]+)/i;

const SECRET_WORDS = new Set(['password', 'passwd', 'passwrd', 'pwd', 'pass', 'passphrase', 'secret', 'secrets', 'token', 'credential', 'credentials', 'creds', 'apikey', 'apitoken', 'accesskey', 'secretkey', 'privatekey']);
const KEY_QUALIFIERS = new Set(['api', 'access', 'secret', 'private', 'signing', 'encryption', 'master', 'app', 'session', 'license', 'shared', 'account', 'client', 'hmac']);
const SECRET_SUFFIXES = ['password', 'passwd', 'secret', 'token', 'apikey', 'passphrase'];
/** Last words that make a name about a credential rather than the credential. */
const NOT_THE_SECRET = new Set([
  'file', 'files', 'path', 'dir', 'directory', 'name', 'names', 'ref', 'reference', 'url', 'uri', 'endpoint', 'host', 'length', 'len', 'ttl',
  'expiry', 'expires', 'expiration', 'lifetime', 'duration', 'timeout', 'interval', 'period', 'seconds', 'enabled', 'enable', 'disabled',
  'required', 'type', 'mode', 'policy', 'header', 'field', 'env', 'var', 'mount', 'id', 'min', 'max', 'count', 'size', 'limit', 'rotation',
  'algorithm', 'algo', 'format', 'prefix', 'suffix', 'provider', 'store', 'template', 'regex', 'pattern', 'location', 'source', 'kind',
  'version', 'issuer', 'audience', 'scope', 'scopes', 'hash', 'digest', 'checksum', 'hint', 'strategy', 'class', 'backend', 'manager',
  'retries', 'cache', 'user', 'username', 'prompt', 'label', 'description', 'message', 'text', 'help', 'placeholder', 'title',
  'key' /* only reached when the word before is not a key qualifier: existingSecretPasswordKey */,
]);
/** Names whose values are random by nature but not secret (for the entropy test). */
const NOT_SECRET_NAMES = new Set(['checksum', 'hash', 'digest', 'sha', 'sha1', 'sha256', 'sha512', 'md5', 'fingerprint', 'uid', 'uuid', 'guid', 'id', 'version', 'revision', 'image', 'etag', 'commit', 'build', 'tag']);

const WEAK_DEFAULTS = new Set([
  'changeme', 'change-me', 'change_me', 'changeit', 'password', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'secret', 'admin', 'administrator', 'root',
  'default', 'test', 'testing', 'letmein', 'qwerty', 'welcome', 'guest', 'postgres', 'mysql', 'redis', 'example', 'demo', 'pass', '123456',
  '1234567', '12345678', '123456789', 'abc123', 'replace_me', 'replaceme', 'todo', 'fixme', 'dummy', 'sample',
]);

/**
 * Splits a key into lower-case words: "dbPassword" → ["db","password"], "AWS_SECRET_ACCESS_KEY" →
 * ["aws","secret","access","key"]. Words are runs of letters and digits; a word also ends
 * before an upper-case letter that follows a lower-case letter or digit ("dbPassword"), and
 * before the last upper-case letter of a run followed by a lower-case one ("OAuthClient" →
 * "o", "auth", "client"). One pass over ASCII names; other names go through
 * nameWordsByRegex, which defines the same split (toLowerCase can turn some non-ASCII
 * letters into ASCII ones: the Kelvin sign U+212A becomes "k").
 */
export function nameWords(name: string): string[] {
  const n = name.length;
  for (let i = 0; i < n; i++) if (name.charCodeAt(i) > 0x7f) return nameWordsByRegex(name);
  const words: string[] = [];
  let start = -1;
  let prev = OTHER;
  for (let i = 0; i < n; i++) {
    const cls = asciiClass(name.charCodeAt(i));
    if (cls === OTHER) {
      if (start >= 0) words.push(name.slice(start, i).toLowerCase());
      start = -1;
    } else if (start < 0) start = i;
    else if (cls === UPPER && (prev !== UPPER || (i + 1 < n && asciiClass(name.charCodeAt(i + 1)) === LOWER))) {
      words.push(name.slice(start, i).toLowerCase());
      start = i;
    }
    prev = cls;
  }
  if (start >= 0) words.push(name.slice(start).toLowerCase());
  return words;
}

const UPPER = 0;
const LOWER = 1;
const DIGIT = 2;
const OTHER = 3;
function asciiClass(c: number): number {
  if (c >= 0x61 && c <= 0x7a) return LOWER;
  if (c >= 0x41 && c <= 0x5a) return UPPER;
  if (c >= 0x30 && c <= 0x39) return DIGIT;
  return OTHER;
}

/** The reference definition of nameWords, used as is for names with non-ASCII characters. */
export function nameWordsByRegex(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Whether a key names a credential (rule 2 of the module comment). */
export function isCredentialName(name: string): boolean {
  return (nameClass(name) & CREDENTIAL_NAME) !== 0;
}

/** Whether a word of the key says its value is random but not secret (a hash, an id, a version). */
function namesNonSecret(name: string): boolean {
  return (nameClass(name) & NON_SECRET_NAME) !== 0;
}

const CREDENTIAL_NAME = 1;
const NON_SECRET_NAME = 2;
/**
 * Names seen before, with their class bits: the same variable and key names come back in
 * every object (a webhook judges each review afresh). Two generations of at most
 * NAME_CACHE_MAX / 2 names each: when the young one is full it becomes the old one and the
 * previous old one is dropped, so names still in use survive (a hit in the old generation
 * moves the name to the young one) and a stream of new names costs little more than
 * classifying them. Names longer than NAME_CACHE_MAX_KEY are classified, not kept, so the
 * cache holds at most NAME_CACHE_MAX × NAME_CACHE_MAX_KEY characters.
 */
export const NAME_CACHE_MAX = 4096;
export const NAME_CACHE_MAX_KEY = 128;
let youngNames = new Map<string, number>();
let oldNames = new Map<string, number>();

/** Entries in the name cache (for tests: it must stay bounded). */
export function nameCacheSize(): number {
  return youngNames.size + oldNames.size;
}

function nameClass(name: string): number {
  let bits = youngNames.get(name);
  if (bits !== undefined) return bits;
  bits = oldNames.get(name) ?? classifyName(name);
  if (name.length <= NAME_CACHE_MAX_KEY) {
    if (youngNames.size >= NAME_CACHE_MAX / 2) {
      oldNames = youngNames;
      youngNames = new Map();
    }
    youngNames.set(name, bits);
  }
  return bits;
}

function classifyName(name: string): number {
  const words = nameWords(name);
  return (credentialWords(words) ? CREDENTIAL_NAME : 0) | (words.some((w) => NOT_SECRET_NAMES.has(w)) ? NON_SECRET_NAME : 0);
}

function credentialWords(words: readonly string[]): boolean {
  const n = words.length;
  // The last credential word decides.
  for (let i = n - 1; i >= 0; i--) {
    if (!secretWordAt(words, i)) continue;
    // "secret_name", "token_ttl": the credential word is not last and a qualifier follows.
    return i === n - 1 || !NOT_THE_SECRET.has(words[n - 1]!);
  }
  return false;
}

function secretWordAt(words: readonly string[], i: number): boolean {
  const w = words[i]!;
  if (SECRET_WORDS.has(w)) return true;
  if (w === 'key' && i > 0 && KEY_QUALIFIERS.has(words[i - 1]!)) return true;
  for (const s of SECRET_SUFFIXES) if (w.length > s.length && w.endsWith(s)) return true;
  return false;
}

function charClass(c: string): number {
  if (c >= 'A' && c <= 'Z') return 0;
  if (c >= 'a' && c <= 'z') return 1;
  if (c >= '0' && c <= '9') return 2;
  return 3;
}

/** Share of adjacent character pairs whose class (upper, lower, digit, other) differs. */
export function classChangeRatio(s: string): number {
  if (s.length < 2) return 0;
  let changes = 0;
  for (let i = 1; i < s.length; i++) if (charClass(s[i]!) !== charClass(s[i - 1]!)) changes++;
  return changes / (s.length - 1);
}

/** Average length of the runs of consecutive lower-case letters (0 when there are none). */
export function meanLowerRun(s: string): number {
  let runs = 0;
  let letters = 0;
  let inRun = false;
  for (const c of s) {
    const lower = c >= 'a' && c <= 'z';
    if (lower) {
      letters++;
      if (!inRun) runs++;
    }
    inRun = lower;
  }
  return runs ? letters / runs : 0;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (!s.length) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const TEMPLATE_REF = /^(?:\$\{[^}]*\}|\$\([^)]*\)|\{\{.*\}\}|<[^<>]*>|%\(?[\w.-]*\)?s|\[\[.*\]\]|@\{[^}]*\}|#\{[^}]*\})$/s;
const MANAGER_REF = /^(?:vault:|ref\+[a-z0-9]+:\/\/|arn:aws:(?:secretsmanager|ssm):|projects\/[^/]+\/secrets\/|akv:\/\/|azurekeyvault:|op:\/\/|sm:\/\/|gcpsm:\/\/|@Microsoft\.KeyVault\(|secretsmanager:|awssm:|bw:|doppler:)/i;
const NULLISH = /^(?:true|false|yes|no|on|off|null|nil|none|undefined|enabled|disabled|n\/a|-)$/i;
const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAMES_A_SECRET = /(secret|credential|creds|token|password|passwd|key|cert|tls)/;

/** A value that is a reference to a credential (template, secret manager, file, object name), not one. */
export function isReference(value: string): boolean {
  const v = value.trim();
  if (TEMPLATE_REF.test(v) || MANAGER_REF.test(v)) return true;
  if (/^(?:\/|\.\.?\/|~\/|file:)/.test(v)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) && !URL_WITH_PASSWORD.test(v)) return true;
  if (DNS_NAME.test(v) && /[-.]/.test(v) && NAMES_A_SECRET.test(v)) return true;
  return false;
}

function literalUnderSecretName(value: string): CredentialMatch | undefined {
  const v = value.trim();
  if (v.length < 4) return undefined;
  if (NULLISH.test(v) || /^[*x•#]+$/i.test(v)) return undefined;
  if (/^\d+$/.test(v) && v.length < 6) return undefined;
  if (isReference(v)) return undefined;
  if (WEAK_DEFAULTS.has(v.toLowerCase())) return { reason: 'well-known default or placeholder password', confidence: 'medium', by: 'name' };
  return { reason: 'literal value under a credential-like name', confidence: 'medium', by: 'name' };
}

/**
 * A literal that each known format (PATTERNS, URL_WITH_PASSWORD, CONN_STRING_PASSWORD)
 * contains, matched case-insensitively where the format is: a value without any of them
 * cannot match one, and most values (settings, names, numbers) are let go after this one
 * test instead of fifteen.
 */
export const KNOWN_FORMAT_HINT =
  /-----BEGIN |A(?:KIA|SIA|BIA|CCA|Iza|ccountKey=)|gh[pousr]_|github_pat_|gl(?:pat|dt|rt|ptt)-|xox[abposr]-|k_live_|npm_|SG\.|eyJ|:\/\/|[Aa][Uu][Tt][Hh][Oo][Rr][Ii][Zz][Aa][Tt][Ii][Oo][Nn]:|[Pp](?:[Aa][Ss][Ss][Ww][Oo][Rr][Dd]|[Ww][Dd])/;

function knownFormat(value: string): CredentialMatch | undefined {
  if (!KNOWN_FORMAT_HINT.test(value)) return undefined;
  return knownFormatUnhinted(value);
}

/** knownFormat without the hint test (exported for the test that the hint lets every format through). */
export function knownFormatUnhinted(value: string): CredentialMatch | undefined {
  for (const [re, reason] of PATTERNS) if (re.test(value)) return { reason, confidence: 'high', by: 'pattern' };
  const url = URL_WITH_PASSWORD.exec(value);
  if (url && !isPlaceholderPassword(url[1]!)) return { reason: 'URL with an embedded password', confidence: 'high', by: 'pattern' };
  const conn = CONN_STRING_PASSWORD.exec(value);
  if (conn && value.includes(';') && !isPlaceholderPassword(conn[1]!.trim())) return { reason: 'connection string with a password', confidence: 'high', by: 'pattern' };
  return undefined;
}

function isPlaceholderPassword(p: string): boolean {
  let v = p;
  try {
    v = decodeURIComponent(p);
  } catch {
    /* keep as written */
  }
  return v === '' || TEMPLATE_REF.test(v) || /^[*x]+$/i.test(v) || /^\$[A-Z_][A-Z0-9_]*$/.test(v);
}

export const CONFIG_LINE = /^\s*(?:export\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*[:=]\s*(.*?)\s*,?\s*$/;
/**
 * CONFIG_LINE up to the separator. It parses a line one way at most (a key cannot end
 * earlier, since [\w.-] never matches what must follow it), so when CONFIG_LINE matches,
 * its key is this one's: lines whose key is not a credential name are let go without the
 * costlier value part.
 */
export const CONFIG_KEY = /^\s*(?:export\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*[:=]/;

function embedded(value: string): CredentialMatch | undefined {
  const lines = value.split(/\r?\n/, MAX_LINES);
  for (let i = 0; i < lines.length; i++) {
    const key = CONFIG_KEY.exec(lines[i]!);
    if (!key || !isCredentialName(key[1]!)) continue;
    const m = CONFIG_LINE.exec(lines[i]!);
    if (!m || !isCredentialName(m[1]!)) continue;
    const inner = m[2]!.replace(/^(["'])(.*)\1$/, '$2');
    if (inner === '' || inner === '|' || inner === '>' || inner.startsWith('{') || inner.startsWith('[')) continue;
    const hit = literalUnderSecretName(inner);
    if (hit) return { ...hit, reason: `${hit.reason} in an embedded configuration file`, innerKey: m[1]!, line: i + 1 };
  }
  return undefined;
}

function randomLooking(name: string, value: string): CredentialMatch | undefined {
  const v = value.trim();
  if (v.length < ENTROPY_MIN_LENGTH || v.length > ENTROPY_MAX_LENGTH) return undefined;
  if (!/^[A-Za-z0-9+/_=-]+$/.test(v) || v.includes('//')) return undefined;
  if (/^[0-9a-f]+$/i.test(v) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) return undefined;
  if (!/[A-Z]/.test(v) || !/[a-z]/.test(v) || !/[0-9]/.test(v)) return undefined;
  if (namesNonSecret(name)) return undefined;
  const h = shannonEntropy(v);
  if (h < Math.min(ENTROPY_BITS_CAP, ENTROPY_BITS_FACTOR * Math.log2(v.length))) return undefined;
  if (classChangeRatio(v) < CLASS_CHANGE_MIN || meanLowerRun(v) > LOWER_RUN_MAX) return undefined;
  return { reason: `random-looking value (${h.toFixed(1)} bits of entropy per character)`, confidence: 'low', by: 'entropy' };
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** "LS0tLS1CRUdJTi" is "-----BEGIN" in base64. */
const BASE64_PEM = /^LS0tLS1CRUdJT[ik]/;

/**
 * A single-line base64 value holding PEM (a caBundle, an encoded key): a private key is
 * reported, a certificate or public key is known not to be secret. Undefined otherwise.
 */
function base64Pem(value: string): { match: CredentialMatch | undefined } | undefined {
  const v = value.trim();
  // startsWith first: most values are let go without running a regex.
  if (!v.startsWith('LS0tLS1CRUdJT') || !BASE64_PEM.test(v) || !BASE64.test(v)) return undefined;
  const decoded = Buffer.from(v.slice(0, 4 * 16384), 'base64').toString('latin1');
  const inner = knownFormat(decoded);
  return { match: inner && { ...inner, reason: `base64-encoded ${inner.reason}` } };
}

/** Whether `value`, stored under `name`, looks like a credential. */
export function detectCredential(name: string, value: string): CredentialMatch | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const v = value.length > MAX_SCANNED ? value.slice(0, MAX_SCANNED) : value;
  const format = knownFormat(v);
  if (format) return format;
  const pem = v.includes('\n') ? undefined : base64Pem(v);
  if (pem) return pem.match;
  if (isCredentialName(name)) {
    const hit = literalUnderSecretName(v);
    if (hit) return hit;
  }
  if (v.includes('\n')) {
    const hit = embedded(v);
    if (hit) return hit;
    return undefined;
  }
  return randomLooking(name, v);
}

/** What the credential controls (PAL-DATA-001, PAL-DATA-002) share in their metadata and options. */
export const CREDENTIAL_REFERENCES = ['https://kubernetes.io/docs/concepts/security/secrets-good-practices/', 'https://cwe.mitre.org/data/definitions/798.html'];
export const CREDENTIAL_MITRE = ['T1552.001', 'T1552.007'];
export const ENTROPY_OPTION = { type: 'boolean', default: true, description: 'Report random-looking values under names that do not look like credentials.' };

/** The names an `ignore…` option lists (strings only; anything else in it is ignored). */
export function ignoredNames(option: unknown): ReadonlySet<string> {
  return Array.isArray(option) ? new Set(option.filter((k): k is string => typeof k === 'string')) : NO_NAMES;
}
const NO_NAMES: ReadonlySet<string> = new Set();
