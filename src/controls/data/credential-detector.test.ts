import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classChangeRatio,
  detectCredential,
  meanLowerRun,
  isCredentialName,
  nameWords,
  nameWordsByRegex,
  nameCacheSize,
  shannonEntropy,
  knownFormatUnhinted,
  ENTROPY_MIN_LENGTH,
  CONFIG_KEY,
  CONFIG_LINE,
  KNOWN_FORMAT_HINT,
  NAME_CACHE_MAX,
  NAME_CACHE_MAX_KEY,
} from './credential-detector.js';

// Token-shaped values are assembled at run time so that repository secret scanners do
// not mistake these fixtures for leaked credentials.
const join = (...parts: string[]) => parts.join('');
const b64url = (s: string) => Buffer.from(s).toString('base64url');

/** Deterministic pseudo-random base64url text (an LCG), standing in for a generated secret. */
function pseudoRandom(length: number, seed = 42): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let x = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out += alphabet[(x >> 16) % 64];
  }
  return out;
}

const PEM_PRIVATE = join('-----BEGIN ', 'RSA PRIVATE KEY-----\n', 'MIIEowIBAAKCAQEA', pseudoRandom(60), '\n-----END RSA PRIVATE KEY-----\n');
const PEM_CERT = `-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE${pseudoRandom(60)}\n-----END CERTIFICATE-----\n`;

describe('credential detector: known formats', () => {
  const cases: [string, string, string][] = [
    ['aws_key', join('AKIA', 'IOSFODNN7EXAMPLE'), 'AWS access key id'],
    ['tls.key', PEM_PRIVATE, 'private key (PEM)'],
    ['bundle', Buffer.from(PEM_PRIVATE).toString('base64'), 'base64-encoded private key (PEM)'],
    ['ci', join('gh', 'p_', pseudoRandom(36).replace(/[-_]/g, 'a')), 'GitHub token'],
    ['ci', join('github', '_pat_', pseudoRandom(40).replace(/-/g, 'b')), 'GitHub token'],
    ['gitlab', join('glp', 'at-', pseudoRandom(20)), 'GitLab token'],
    ['notify', join('xo', 'xb-', '1234567890-', pseudoRandom(24)), 'Slack token'],
    ['hook', join('https://hooks.slack.com/services/', 'T0123ABCD/B0123ABCD/', pseudoRandom(24).replace(/[-_]/g, 'c')), 'Slack webhook URL'],
    ['auth', join(b64url('{"alg":"HS256","typ":"JWT"}'), '.', b64url('{"sub":"svc","iat":1700000000}'), '.', pseudoRandom(43)), 'JSON Web Token'],
    ['DATABASE_URL', join('postgres://app:', 'n0t-a-real-pw', '@db.shop:5432/app'), 'URL with an embedded password'],
    ['cache', join('redis://:', 'hunter2hunter2', '@redis:6379/0'), 'URL with an embedded password'],
    ['conn', join('Server=db;Database=app;User Id=sa;Password=', 'Tr0ub4dor&3', ';'), 'connection string with a password'],
  ];
  for (const [name, value, reason] of cases) {
    it(`recognises a ${reason} (${name})`, () => {
      const m = detectCredential(name, value);
      assert.equal(m?.reason, reason);
      assert.equal(m?.by, 'pattern');
      assert.equal(m?.confidence, 'high');
      assert.ok(!JSON.stringify(m).includes(value.slice(0, 12)), 'the match never carries the value');
    });
  }
});

describe('credential detector: names', () => {
  it('splits names into words', () => {
    assert.deepEqual(nameWords('dbPassword'), ['db', 'password']);
    assert.deepEqual(nameWords('AWS_SECRET_ACCESS_KEY'), ['aws', 'secret', 'access', 'key']);
    assert.deepEqual(nameWords('x-api-key'), ['x', 'api', 'key']);
    assert.deepEqual(nameWords('spring.datasource.password'), ['spring', 'datasource', 'password']);
    assert.deepEqual(nameWords('OAuthClientSecret'), ['o', 'auth', 'client', 'secret']);
  });

  it('recognises credential names', () => {
    for (const n of ['DB_PASSWORD', 'dbPassword', 'DBPASSWORD', 'SECRET_KEY', 'apiKey', 'x-api-key', 'AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'passphrase', 'ADMIN_PASS', 'client_secret', 'credentials', 'private_key', 'HTPASSWD']) {
      assert.ok(isCredentialName(n), n);
    }
  });

  it('does not take names about a credential for the credential', () => {
    for (const n of ['PASSWORD_FILE', 'secretName', 'TOKEN_TTL', 'PASSWORD_MIN_LENGTH', 'ACCESS_KEY_ID', 'token_url', 'AUTH_TOKEN_ENABLED', 'existingSecretPasswordKey', 'password_prompt', 'MAX_TOKENS', 'TOKENIZER', 'bypass', 'LOG_LEVEL', 'keycloak_realm', 'secretary']) {
      assert.ok(!isCredentialName(n), n);
    }
  });

  it('reports a literal value under a credential name', () => {
    const m = detectCredential('DB_PASSWORD', 'hunter2!x');
    assert.deepEqual(m, { reason: 'literal value under a credential-like name', confidence: 'medium', by: 'name' });
  });

  it('still reports placeholder passwords such as "changeme": a placeholder that ships is guessable', () => {
    assert.equal(detectCredential('password', 'changeme')?.reason, 'well-known default or placeholder password');
    assert.equal(detectCredential('ADMIN_PASSWORD', 'admin')?.reason, 'well-known default or placeholder password');
    assert.equal(detectCredential('pin_password', '12345678')?.reason, 'well-known default or placeholder password');
  });

  it('finds a credential line inside an embedded configuration file, naming only its key and line', () => {
    const file = ['server.port=8080', 'spring.datasource.url=jdbc:postgresql://db/app', 'spring.datasource.password=Sup3rS3cret!', 'logging.level.root=INFO'].join('\n');
    const m = detectCredential('application.properties', file);
    assert.equal(m?.innerKey, 'spring.datasource.password');
    assert.equal(m?.line, 3);
    assert.equal(m?.by, 'name');
    const yaml = 'db:\n  host: db\n  password: "{{ .Values.db.password }}"\n  user: app\n';
    assert.equal(detectCredential('config.yaml', yaml), undefined, 'templated values are references');
    const json = '{\n  "apiKey": "k3y-v4lue-xyz",\n  "region": "eu"\n}';
    assert.equal(detectCredential('settings.json', json)?.innerKey, 'apiKey');
  });
});

describe('credential detector: entropy', () => {
  it('computes Shannon entropy per character', () => {
    assert.equal(shannonEntropy('aaaa'), 0);
    assert.equal(shannonEntropy('abcd'), 2);
    assert.equal(shannonEntropy(''), 0);
  });

  it('measures how often adjacent characters change class', () => {
    assert.equal(classChangeRatio('aA1'), 1);
    assert.equal(classChangeRatio('abc'), 0);
    assert.ok(classChangeRatio('ShopFrontendServiceAccount01') < 0.45);
  });

  it('measures the mean run of lower-case letters', () => {
    assert.equal(meanLowerRun('ImagePullBackOffRetryCount3x'), 3);
    assert.equal(meanLowerRun('aB'), 1);
    assert.equal(meanLowerRun('ABC123'), 0);
  });

  it('reports random tokens of 24 to 64 characters nearly always (seeded sample)', () => {
    let missed = 0;
    for (let seed = 1; seed <= 200; seed++) if (!detectCredential('value', pseudoRandom(24 + (seed % 41), seed * 7919))) missed++;
    assert.ok(missed <= 24, `missed ${missed} of 200`);
  });

  it('reports a long random-looking token under any name, with low confidence', () => {
    const m = detectCredential('session', pseudoRandom(40, 1));
    assert.equal(m?.by, 'entropy');
    assert.equal(m?.confidence, 'low');
  });

  it(`ignores random-looking tokens shorter than ${ENTROPY_MIN_LENGTH} characters`, () => {
    assert.equal(detectCredential('session', pseudoRandom(ENTROPY_MIN_LENGTH - 1)), undefined);
  });
});

describe('credential detector: false positives', () => {
  const sha256 = 'a3f1c9e0b7d24f6e8a1b2c3d4e5f60718293a4b5c6d7e8f90123456789abcdef';
  const negatives: [string, string][] = [
    ['client_id', '3f2504e0-4f89-11d3-9a0c-0305e82c3301'],
    ['requestId', '3F2504E0-4F89-11D3-9A0C-0305E82C3301'],
    ['image', `registry.example.com/shop/api@sha256:${sha256}`],
    ['checksum/config', sha256],
    ['anything', sha256],
    ['GIT_COMMIT', '4b825dc642cb6eb9a060e54bf8d69288fbee4904'],
    ['build', 'Xk29AbCdEfGhIjKlMnOpQr12StUv'],
    ['token', 'abc'],
    ['password', 'false'],
    ['password', '********'],
    ['password', 'xxxxxxxx'],
    ['DB_PASSWORD', '${DB_PASSWORD}'],
    ['DB_PASSWORD', '$(DB_PASS)'],
    ['DB_PASSWORD', '{{ .Values.db.password }}'],
    ['API_TOKEN', '<your-api-token>'],
    ['DB_PASSWORD', 'vault:secret/data/db#password'],
    ['DB_PASSWORD', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf'],
    ['DB_PASSWORD', '/etc/secrets/db-password'],
    ['TOKEN', 'https://vault.example.com/v1/auth/token'],
    ['DB_SECRET', 'db-credentials'],
    ['TOKEN_TTL', '3600'],
    ['PASSWORD_MIN_LENGTH', '12'],
    ['MAX_TOKENS', '4096'],
    ['LOG_LEVEL', 'debug'],
    ['DB_HOST', 'db.prod.internal.example.com'],
    ['url', 'https://example.com/path?x=1'],
    ['DATABASE_URL', 'postgres://app:${DB_PASS}@db:5432/app'],
    ['appName', 'MyVeryLongApplicationName2024'],
    ['reason', 'ImagePullBackOffRetryCount3x'],
    ['serviceAccount', 'ShopFrontendServiceAccount01'],
    ['ca.crt', PEM_CERT],
    ['caBundle', Buffer.from(PEM_CERT).toString('base64')],
    ['message', 'Please enter your password and token to continue'],
    ['path', 'charts/shop/templates/deployment.yaml'],
    ['PWD', '/app'],
  ];
  for (const [name, value] of negatives) {
    it(`does not report ${name}: ${value.length > 40 ? value.slice(0, 37) + '...' : value}`, () => {
      assert.equal(detectCredential(name, value), undefined);
    });
  }
});

/** Deterministic generator (mulberry32) for the equivalence tests below. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('credential detector: one-pass name split', () => {
  it('splits like the regex definition on names built from case, digit and separator changes', () => {
    const r = rng(11);
    // Letters of both cases, digits, separators, and non-ASCII letters whose lower case is ASCII or not.
    const alphabet = ['a', 'b', 'z', 'A', 'B', 'Z', '0', '9', '_', '-', '.', ' ', '/', '\u0130', '\u212A', '\u00e9', '\u00c9'];
    for (let n = 0; n < 20_000; n++) {
      let name = '';
      const len = Math.floor(r() * 12);
      for (let i = 0; i < len; i++) name += alphabet[Math.floor(r() * (r() < 0.9 ? 13 : alphabet.length))];
      assert.deepEqual(nameWords(name), nameWordsByRegex(name), JSON.stringify(name));
    }
  });

  it('splits real names like the regex definition', () => {
    for (const name of ['OAuthClientSecret', 'AWS_SECRET_ACCESS_KEY', 'dbPassword', 'DBPassword', 'HTTPSProxyURL', 'apiV2Token', 'x-api-key', 'K8S_TOKEN', '', '__', 'A', 'aB', 'AB', 'ABc']) {
      assert.deepEqual(nameWords(name), nameWordsByRegex(name), name);
    }
    assert.deepEqual(nameWords('HTTPSProxyURL'), ['https', 'proxy', 'url']);
    assert.deepEqual(nameWords('\u212Aey_TOKEN'), ['key', 'token'], 'the Kelvin sign lower-cases to k');
  });
});

describe('credential detector: name cache', () => {
  it('stays bounded and answers the same after evicting a name', () => {
    assert.equal(isCredentialName('EVICTED_PASSWORD'), true);
    assert.equal(isCredentialName('EVICTED_PASSWORD_FILE'), false);
    let largest = 0;
    for (let i = 0; i < 3 * NAME_CACHE_MAX; i++) {
      assert.equal(isCredentialName(`SETTING_${i}_TOKEN`), true);
      // A name in use all along, asked between the new ones.
      if (i % 100 === 0) assert.equal(isCredentialName('HOT_API_KEY'), true);
      largest = Math.max(largest, nameCacheSize());
    }
    assert.ok(largest <= NAME_CACHE_MAX, `${largest} entries`);
    assert.ok(largest >= NAME_CACHE_MAX / 2, 'names are kept');
    // Long names are judged but not kept.
    const before = nameCacheSize();
    assert.equal(isCredentialName('X'.repeat(NAME_CACHE_MAX_KEY + 1) + '_PASSWORD'), true);
    assert.equal(nameCacheSize(), before);
    // The first names were dropped; asking again gives the same answers.
    assert.equal(isCredentialName('EVICTED_PASSWORD'), true);
    assert.equal(isCredentialName('EVICTED_PASSWORD_FILE'), false);
    assert.ok(nameCacheSize() <= NAME_CACHE_MAX);
  });

  it('keeps the entropy exemption per name apart from the credential class', () => {
    const random = pseudoRandom(40, 1);
    // Asked twice: the second answer comes from the cache.
    for (let k = 0; k < 2; k++) {
      assert.equal(detectCredential('build_sha', random), undefined);
      assert.equal(detectCredential('opaque', random)?.by, 'entropy');
    }
  });
});

describe('credential detector: known-format hint', () => {
  // One sample per format, assembled at run time (see join above).
  const samples = [
    join('-----BEGIN ', 'EC PRIVATE KEY-----'),
    join('AKIA', 'ABCDEFGHIJKLMNOP'),
    join('gh', 's_', 'a'.repeat(36)),
    join('github', '_pat_', 'b'.repeat(22)),
    join('gl', 'rt-', 'c'.repeat(20)),
    join('xo', 'xp-', '1234567890'),
    join('https://hooks.slack.com/services/', 'T1/B2/', 'd'.repeat(16)),
    join('r', 'k_live_', 'e'.repeat(20)),
    join('AI', 'za', 'f'.repeat(35)),
    join('np', 'm_', 'g'.repeat(36)),
    join('S', 'G.', 'h'.repeat(22), '.', 'i'.repeat(43)),
    join('ey', 'J', 'j'.repeat(8), '.ey', 'J', 'k'.repeat(8), '.', 'l'.repeat(16)),
    join('DefaultEndpointsProtocol=https;AccountKey=', 'm'.repeat(40)),
    join('aUtHoRiZaTiOn: ', 'bEaReR ', 'n'.repeat(16)),
    join('MySQL://u:', 'pw', '@h'),
    join('Server=x;PWD=', 'y', ';'),
    join('Server=x;PassWord=', 'y', ';'),
  ];

  it('lets every known format through', () => {
    for (const s of samples) {
      assert.ok(knownFormatUnhinted(s), `sample is a known format: ${s.slice(0, 8)}`);
      assert.ok(KNOWN_FORMAT_HINT.test(s), `hint lets it through: ${s.slice(0, 8)}`);
      assert.ok(detectCredential('x', s), `detected: ${s.slice(0, 8)}`);
    }
  });

  it('never turns away a value a format matches (fuzzed around the formats)', () => {
    const r = rng(5);
    const noise = ['', ' ', ';', '\n', 'x', 'Q', '-', '=', '"', 'value-12-345', 'ghp', 'AKI', 'eyJ', ':/', '@'];
    for (let n = 0; n < 5_000; n++) {
      const s = samples[Math.floor(r() * samples.length)]!;
      // Cut a sample, flip case in places and wrap it in noise: some still match, most not.
      const from = Math.floor(r() * 4);
      const to = s.length - Math.floor(r() * 4);
      let v = '';
      for (const ch of s.slice(from, to)) v += r() < 0.05 ? (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()) : ch;
      v = noise[Math.floor(r() * noise.length)]! + v + noise[Math.floor(r() * noise.length)]!;
      if (knownFormatUnhinted(v)) assert.ok(KNOWN_FORMAT_HINT.test(v), JSON.stringify(v.slice(0, 20)));
    }
  });

  it('turns away ordinary settings', () => {
    for (const v of ['value-3-123456', 'info', 'Production', '/etc/app/config.yaml', 'true', '8080']) assert.equal(KNOWN_FORMAT_HINT.test(v), false, v);
  });
});

describe('credential detector: configuration lines', () => {
  it('reads the key of every line CONFIG_LINE parses from the shorter CONFIG_KEY alone', () => {
    const r = rng(23);
    const parts = [' ', '  ', '\t', 'export', 'export ', '"', "'", 'db', 'DB_', 'password', 'Password', '.', '-', '_', '1', ':', '=', ' = ', ': ', ',', 'x', '\r', '\u2028', '\u00a0', '{', '|', 'é'];
    let parsed = 0;
    for (let n = 0; n < 30_000; n++) {
      let line = '';
      const len = 1 + Math.floor(r() * 9);
      for (let i = 0; i < len; i++) line += parts[Math.floor(r() * parts.length)];
      const full = CONFIG_LINE.exec(line);
      if (!full) continue;
      parsed++;
      assert.equal(CONFIG_KEY.exec(line)?.[1], full[1], JSON.stringify(line));
    }
    assert.ok(parsed > 1000, `${parsed} lines parsed`);
  });

  it('finds credentials in files whatever the quoting and export style', () => {
    const file = (line: string) => `# settings\nlog_level: info\n${line}\n`;
    for (const line of ['export DB_PASSWORD=hunter2-hunter2', '  "password": "hunter2-hunter2",', "secret_key = 'hunter2-hunter2'", 'apiToken:hunter2-hunter2']) {
      const m = detectCredential('app.conf', file(line));
      assert.equal(m?.line, 3, line);
      assert.equal(m?.by, 'name', line);
    }
    assert.equal(detectCredential('app.conf', file('password_file: /run/secrets/db')), undefined);
  });
});
