import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateExpression, fromCelValue, toCelValue } from './index.js';

/** A Deployment as it arrives from a YAML manifest (plain JS numbers). */
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { team: 'payments', app: 'web' }, annotations: { 'example.com/owner': 'ana' } },
  spec: {
    replicas: 3,
    template: {
      spec: {
        hostNetwork: false,
        containers: [
          {
            name: 'web',
            image: 'registry.example.com/shop/web:1.4.2',
            resources: { limits: { memory: '512Mi', cpu: '500m' }, requests: { memory: '256Mi', cpu: '0.25' } },
            securityContext: { privileged: false, runAsNonRoot: true },
            ports: [{ containerPort: 8080 }],
          },
          { name: 'sidecar', image: 'registry.example.com/mesh/proxy@sha256:abc', resources: { limits: { memory: '1Gi', cpu: '1' } } },
        ],
      },
    },
  },
};

function check(expr: string, activation: Record<string, unknown>): unknown {
  const r = evaluateExpression(expr, activation);
  if (!r.ok) assert.fail(`${expr}: ${r.error.code} ${r.error.message}`);
  return r.value;
}

test('ValidatingAdmissionPolicy-style validations on a Deployment', () => {
  const a = { object: deployment };
  assert.equal(check('object.spec.replicas <= 5', a), true);
  assert.equal(check('object.spec.replicas <= 2', a), false);
  assert.equal(check('object.spec.template.spec.containers.all(c, c.image.startsWith("registry.example.com/"))', a), true);
  assert.equal(check("has(object.metadata.labels) && 'team' in object.metadata.labels", a), true);
  assert.equal(check("has(object.metadata.labels) && 'owner' in object.metadata.labels", a), false);
  assert.equal(
    check('!object.spec.template.spec.containers.exists(c, has(c.securityContext) && c.securityContext.privileged == true)', a),
    true,
  );
  assert.equal(check('object.spec.template.spec.containers.all(c, has(c.resources.limits) && "memory" in c.resources.limits)', a), true);
  assert.equal(
    check('object.spec.template.spec.containers.all(c, quantity(c.resources.limits.memory).compareTo(quantity("2Gi")) <= 0)', a),
    true,
  );
  assert.equal(check('object.spec.template.spec.containers.exists(c, c.image.contains("@sha256:"))', a), true);
  assert.deepEqual(check('object.spec.template.spec.containers.map(c, c.name)', a), ['web', 'sidecar']);
  assert.equal(check('object.spec.template.spec.containers.all(c, c.?ports.orValue([]).all(p, p.containerPort > 1024))', a), true);
  assert.equal(check('object.metadata.name.matches("^[a-z][a-z0-9-]*$")', a), true);
  assert.equal(check("object.metadata.annotations['example.com/owner'] == 'ana'", a), true);
  assert.equal(check('object.spec.template.spec.hostNetwork == false', a), true);
});

test('request, oldObject and params as admission supplies them', () => {
  const request = { operation: 'UPDATE', userInfo: { username: 'system:serviceaccount:ci:deployer', groups: ['system:serviceaccounts'] } };
  const oldObject = { ...deployment, spec: { ...deployment.spec, replicas: 2 } };
  const params = { maxReplicas: 10, allowedRegistries: ['registry.example.com/', 'mirror.example.com/'] };
  const a = { object: deployment, oldObject, request, params };
  assert.equal(check('request.operation != "UPDATE" || object.spec.replicas >= oldObject.spec.replicas', a), true);
  assert.equal(check('object.spec.replicas <= params.maxReplicas', a), true);
  assert.equal(
    check('object.spec.template.spec.containers.all(c, params.allowedRegistries.exists(r, c.image.startsWith(r)))', a),
    true,
  );
  assert.equal(check('request.userInfo.username.startsWith("system:serviceaccount:")', a), true);
  // On CREATE oldObject is null.
  assert.equal(check('oldObject == null', { object: deployment }), true);
  // Composited variables.
  assert.equal(check('variables.containers.size() == 2', { object: deployment, variables: { containers: deployment.spec.template.spec.containers } }), true);
});

test('int, uint, double and BigInt semantics of decoded YAML values', () => {
  const object = { a: 3, b: 2.5, c: 1.0, big: 9007199254740993n, huge: 1e20, neg: -4 };
  assert.equal(check('type(object.a) == int', { object }), true);
  assert.equal(check('type(object.b) == double', { object }), true);
  assert.equal(check('type(object.c) == int', { object }), true); // YAML 1.0 decodes to the JS number 1
  assert.equal(check('object.big == 9007199254740993', { object }), true); // exact beyond 2^53
  assert.equal(check('type(object.huge) == double', { object }), true); // beyond int64
  assert.equal(check('object.a / 2', { object }), 1n); // integer division
  assert.equal(check('object.b * 2.0', { object }), 5);
  assert.equal(check('object.a == 3.0', { object }), true); // heterogeneous equality through dyn
  assert.equal(check('object.a < 3.5', { object }), true);
  assert.equal(check('uint(object.a) == 3u', { object }), true);
  assert.equal(check('object.neg % 3', { object }), -1n);
  assert.deepEqual(toCelValue({ n: [1, 1.5, 'x', null, true] }), Object.assign(Object.create(null), { n: [1n, 1.5, 'x', null, true] }));
  assert.deepEqual(fromCelValue(check('[object.a, object.big]', { object })), [3, 9007199254740993n]);
});

test('a failing validation message expression', () => {
  const msg = check(
    '"Deployment " + object.metadata.name + " has " + string(object.spec.replicas) + " replicas, over the limit of " + string(params.max)',
    { object: deployment, params: { max: 2 } },
  );
  assert.equal(msg, 'Deployment web has 3 replicas, over the limit of 2');
  assert.equal(check('"%s has %d replicas".format([object.metadata.name, object.spec.replicas])', { object: deployment }), 'web has 3 replicas');
});
