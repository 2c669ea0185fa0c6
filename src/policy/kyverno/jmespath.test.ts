import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jmesSearch, JmesPathError, MAX_EXPRESSION_LENGTH } from './jmespath.js';
import { substituteAll, SubstitutionError, pathOfVariable } from './variables.js';

const ctx = {
  request: {
    object: {
      metadata: { name: 'web-1', labels: { app: 'web', 'app.kubernetes.io/name': 'shop' }, annotations: { settings: '{"a": 1, "b": [1, 2]}' } },
      spec: {
        containers: [
          { name: 'a', image: 'nginx:1.25', resources: { requests: { memory: '1Gi' } } },
          { name: 'b', image: 'redis', resources: { requests: { memory: '512Mi' } } },
        ],
      },
    },
  },
};

const q = (e: string, data: unknown = ctx) => jmesSearch(e, data);

function throwsKind(e: string, kind: string, data: unknown = ctx) {
  assert.throws(() => q(e, data), (err: unknown) => err instanceof JmesPathError && err.kind === kind, `${e} should throw ${kind}`);
}

describe("JMESPath with Kyverno's semantics", () => {
  it('reads fields, indexes, projections, filters, slices and multi-selects', () => {
    assert.equal(q('request.object.metadata.name'), 'web-1');
    assert.equal(q('request.object.metadata.labels."app.kubernetes.io/name"'), 'shop');
    assert.deepEqual(q('request.object.spec.containers[].name'), ['a', 'b']);
    assert.deepEqual(q("request.object.spec.containers[?name=='b'].image"), ['redis']);
    assert.equal(q('request.object.spec.containers[-1].name'), 'b');
    assert.deepEqual(q('request.object.spec.containers[:1].name'), ['a']);
    assert.deepEqual(q('request.object.spec.containers[*].{n: name, i: image}'), [
      { n: 'a', i: 'nginx:1.25' },
      { n: 'b', i: 'redis' },
    ]);
    assert.deepEqual(q('request.object.metadata.labels.*'), ['web', 'shop']);
    assert.equal(q('request.object.spec.containers | length(@)'), 2);
    assert.equal(q('let $n = request.object.metadata.name in $n'), 'web-1');
    assert.equal(q('`1` + `2` * `3`'), 7);
  });

  it('a missing key is an error ("Unknown key"), except on the left of || and inside projections and multi-selects', () => {
    throwsKind('request.object.metadata.namespace', 'notFound');
    assert.match((() => {
      try {
        q('request.object.spec.hostNetwork');
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })(), /Unknown key "hostNetwork" in path/);
    assert.equal(q("request.object.metadata.namespace || 'default'"), 'default');
    assert.equal(q('request.object.spec.hostNetwork || `false`'), false);
    assert.deepEqual(q('request.object.spec.containers[].securityContext'), []);
    assert.deepEqual(q('request.object.spec.[initContainers, containers][].name'), ['a', 'b']);
    assert.equal(q('request.object.metadata.name.foo'), null, 'a field of a string is null');
  });

  it('bounds expressions and evaluation', () => {
    throwsKind('a'.repeat(MAX_EXPRESSION_LENGTH + 1), 'limit');
    const big = { xs: Array.from({ length: 2000 }, (_, i) => ({ i })) };
    assert.throws(() => jmesSearch('xs[].xs[].xs[].i', big, { budget: 100 }), /exceeded 100 steps/);
    throwsKind('foo(', 'syntax');
    throwsKind('no_such_function(@)', 'function');
  });
});

describe("Kyverno's JMESPath functions", () => {
  const cases: [string, unknown][] = [
    ["to_upper('abc')", 'ABC'],
    ["to_lower('AbC')", 'abc'],
    ["split('a-b-c', '-')", ['a', 'b', 'c']],
    ["join('-', ['a', 'b'])", 'a-b'],
    ["regex_match('^web-[0-9]+$', request.object.metadata.name)", true],
    ["regex_match('(?i)^WEB', 'web')", true],
    ["regex_match('^[0-9]+$', `42`)", true],
    ["regex_replace_all('([a-z]+)-([0-9]+)', request.object.metadata.name, '${2}_$1')", '1_web'],
    ["regex_replace_all_literal('[0-9]', 'a1b2', '$1')", 'a$1b$1'],
    ["pattern_match('nginx:*', 'nginx:1')", true],
    ["label_match({app: 'web'}, request.object.metadata.labels)", true],
    ["label_match({app: 'api'}, request.object.metadata.labels)", false],
    ["truncate('abcdef', `3`)", 'abc'],
    ["truncate('ab', `5`)", 'ab'],
    ["compare('a', 'b')", -1],
    ["compare('b', 'b')", 0],
    ["equal_fold('Go', 'GO')", true],
    ["replace('aaaa', 'a', 'b', `2`)", 'bbaa'],
    ["replace('aaaa', 'a', 'b', `-1`)", 'bbbb'],
    ["replace_all('a.b.c', '.', '/')", 'a/b/c'],
    ["trim('  x  ', ' ')", 'x'],
    ["trim('--x-', '-')", 'x'],
    ["trim_prefix('docker.io/nginx', 'docker.io/')", 'nginx'],
    ["base64_encode('hello')", 'aGVsbG8='],
    ["base64_decode('aGVsbG8=')", 'hello'],
    ['parse_json(request.object.metadata.annotations.settings).b[1]', 2],
    ["parse_yaml('a: {b: [1, 2]}').a.b", [1, 2]],
    ["to_boolean('TRUE')", true],
    ['add(`1`, `2`)', 3],
    ["add('1Gi', '512Mi')", '1536Mi'],
    ["add('90s', '30s')", '2m0s'],
    ["subtract('2Gi', '512Mi')", '1536Mi'],
    ["multiply('250m', `4`)", '1'],
    ["multiply('30s', `2`)", '1m0s'],
    ["divide('1Gi', '256Mi')", 4],
    ["divide('1h', '900s')", 4],
    ["divide('1Gi', `4`)", '256Mi'],
    ['divide(`7`, `2`)', 3.5],
    ['modulo(`7`, `3`)', 1],
    ["modulo('10Gi', '3Gi')", '1Gi'],
    ['sum(request.object.spec.containers[].resources.requests.memory)', '1536Mi'],
    ['sum([`1`, `2`, `3`])', 6],
    ['round(`2.567`, `2`)', 2.57],
    ["semver_compare('1.4.2', '>=1.4.0 <2.0.0')", true],
    ["semver_compare('2.1.0', '>=1.4.0 <2.0.0 || =3.0.0')", false],
    ["semver_compare('3.0.0', '>=1.4.0 <2.0.0 || 3.0.0')", true],
    ["path_canonicalize('/var//lib/../run/')", '/var/run'],
    ["lookup(request.object.metadata.labels, 'app')", 'web'],
    ['lookup(request.object.spec.containers, `1`).name', 'b'],
    ["lookup(request.object.metadata.labels, 'missing')", null],
    ["items({b: `2`, a: `1`}, 'k', 'v')", [{ k: 'a', v: 1 }, { k: 'b', v: 2 }]],
    ["items(['x', 'y'], 'i', 'v')", [{ i: 0, v: 'x' }, { i: 1, v: 'y' }]],
    ["object_from_lists(['a', 'b'], [`1`])", { a: 1, b: null }],
    ["image_normalize('nginx')", 'docker.io/nginx:latest'],
    ["image_normalize('ghcr.io/acme/app:1.0')", 'ghcr.io/acme/app:1.0'],
    ["time_add('2024-01-01T00:00:00Z', '36h')", '2024-01-02T12:00:00Z'],
    ["time_diff('2024-01-01T00:00:00Z', '2024-01-01T01:30:00Z')", '1h30m0s'],
    ["time_after('2024-01-02T00:00:00Z', '2024-01-01T00:00:00Z')", true],
    ["time_before('2024-01-02T00:00:00Z', '2024-01-01T00:00:00Z')", false],
    ["time_between('2024-01-02T00:00:00Z', '2024-01-01T00:00:00Z', '2024-01-03T00:00:00Z')", true],
    ["time_utc('2024-01-01T02:00:00+02:00')", '2024-01-01T00:00:00Z'],
    ["time_truncate('2024-01-01T10:47:13Z', '1h')", '2024-01-01T10:00:00Z'],
    ["time_to_cron('2024-03-05T14:30:00Z')", '30 14 5 3 2'],
    ["time_parse('Mon Jan 2 15:04:05 MST 2006', 'Tue Mar 5 14:30:00 UTC 2024')", '2024-03-05T14:30:00Z'],
    ["time_parse('2006-01-02', '2024-03-05')", '2024-03-05T00:00:00Z'],
    ["time_since('', '2024-01-01T00:00:00Z', '2024-01-01T00:00:10Z')", '10s'],
    ['sort_by(request.object.spec.containers, &image)[0].name', 'a'],
    ["max_by(request.object.spec.containers, &name).name", 'b'],
    ['map(&name, request.object.spec.containers)', ['a', 'b']],
    ["contains(['a', 'b'], 'b')", true],
    ["starts_with('nginx:1', 'nginx')", true],
    ['keys(request.object.metadata.labels)', ['app', 'app.kubernetes.io/name']],
    ["merge({a: `1`}, {b: `2`})", { a: 1, b: 2 }],
    ["not_null(`null`, 'x')", 'x'],
    ["to_number('42')", 42],
    ['to_string(`[1]`)', '[1]'],
    ["type('x')", 'string'],
    ["find_first('abcabc', 'c')", 2],
    ["pad_left('7', `3`, '0')", '007'],
  ];
  for (const [expr, want] of cases) {
    it(`${expr} = ${JSON.stringify(want)}`, () => assert.deepEqual(q(expr), want));
  }

  it('rejects wrong argument types and counts', () => {
    throwsKind('to_upper(`1`)', 'type');
    throwsKind("split('a')", 'function');
    throwsKind("divide(`1`, `0`)", 'function');
    throwsKind("add('1Gi', '1h')", 'type');
    // As in Kyverno, an operand that parses as a quantity is one: '15m' is 15 milli, not minutes.
    throwsKind("divide('1h', '15m')", 'type');
    throwsKind("to_boolean('yes')", 'function');
    throwsKind("regex_match('(', 'x')", 'function');
    throwsKind("regex_match('(a)\\\\1', 'aa')", 'function');
    throwsKind("time_add('yesterday', '1h')", 'function');
    throwsKind("random('[a-z]{4}')", 'function');
    throwsKind("x509_decode('x')", 'function');
  });
});

describe('variable substitution', () => {
  it('a string that is one variable keeps the value type; otherwise values are spliced as text', () => {
    assert.deepEqual(substituteAll('{{ request.object.spec.containers[].name }}', ctx), ['a', 'b']);
    assert.equal(substituteAll('name={{request.object.metadata.name}} n={{ length(request.object.spec.containers) }}', ctx), 'name=web-1 n=2');
    assert.equal(substituteAll('{{ request.object.spec.containers[0].resources }}!', ctx), '{"requests":{"memory":"1Gi"}}!');
  });

  it('substitutes map keys and nested documents, and keeps escaped variables', () => {
    assert.deepEqual(substituteAll({ '{{ request.object.metadata.name }}': ['{{ request.object.metadata.labels.app }}'] }, ctx), { 'web-1': ['web'] });
    assert.equal(substituteAll('\\{{ request.object.metadata.name }}', ctx), '{{ request.object.metadata.name }}');
  });

  it('reports unresolved variables with the path', () => {
    assert.throws(
      () => substituteAll({ a: { b: '{{ request.object.metadata.namespace }}' } }, ctx),
      (e: unknown) => e instanceof SubstitutionError && e.notFound && /failed to resolve request.object.metadata.namespace at path \/a\/b/.test(e.message),
    );
  });

  it('{{@}} reads the resource value at the current pattern path', () => {
    assert.deepEqual(substituteAll({ metadata: { labels: { app: '{{@}}' } } }, ctx), { metadata: { labels: { app: 'web' } } });
  });

  it('$(path) references other values of the same pattern, with operators', () => {
    assert.deepEqual(substituteAll({ a: { max: 5, min: '<=$(./max)' } }, ctx), { a: { max: 5, min: '<=5' } });
    assert.deepEqual(substituteAll({ a: { max: 5, copy: '$(max)' } }, ctx), { a: { max: 5, copy: 5 } });
  });

  it('bounds nested substitution', () => {
    const selfRef = { v: '{{ v }}' };
    assert.equal(substituteAll('{{ v }}', selfRef), '{{ v }}');
  });

  it('finds the field a simple variable reads', () => {
    assert.deepEqual(pathOfVariable('{{ request.object.spec.containers[0].image }}'), ['spec', 'containers', 0, 'image']);
    assert.deepEqual(pathOfVariable('{{request.object.metadata.labels."app.kubernetes.io/name"}}'), ['metadata', 'labels', 'app.kubernetes.io/name']);
    assert.equal(pathOfVariable("{{ request.object.spec.x || 'a' }}"), undefined);
  });
});
