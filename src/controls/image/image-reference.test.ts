import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultPullPolicy,
  isMutable,
  isUnderRegistryPrefix,
  normaliseRegistryPrefix,
  parseImageReference,
  type ImageReference,
} from './image-reference.js';

const SHA = 'sha256:' + 'ab'.repeat(32);

function ref(raw: string): ImageReference {
  const r = parseImageReference(raw);
  assert.ok(r.ok, `expected "${raw}" to parse, got: ${r.ok ? '' : r.reason}`);
  return r.ref;
}

function parts(raw: string) {
  const r = ref(raw);
  return { domain: r.domain, implicitDomain: r.implicitDomain, path: r.path, tag: r.tag, digest: r.digest };
}

describe('parseImageReference', () => {
  it('normalises Docker Hub official images to docker.io/library', () => {
    assert.deepEqual(parts('nginx'), { domain: 'docker.io', implicitDomain: true, path: 'library/nginx', tag: undefined, digest: undefined });
    assert.equal(ref('nginx:1.27').repository, 'docker.io/library/nginx');
  });

  it('keeps Docker Hub user repositories under docker.io/<user>', () => {
    assert.deepEqual(parts('bitnami/redis:7.2'), { domain: 'docker.io', implicitDomain: true, path: 'bitnami/redis', tag: '7.2', digest: undefined });
  });

  it('folds Docker Hub host aliases into docker.io', () => {
    assert.equal(ref('index.docker.io/nginx').repository, 'docker.io/library/nginx');
    assert.equal(ref('docker.io/library/nginx:1').repository, 'docker.io/library/nginx');
    assert.equal(ref('docker.io/nginx').implicitDomain, false);
  });

  it('reads a registry with a port and does not take the port for a tag', () => {
    assert.deepEqual(parts('localhost:5000/app'), { domain: 'localhost:5000', implicitDomain: false, path: 'app', tag: undefined, digest: undefined });
    assert.deepEqual(parts('registry.example.com:8443/team/app:2.0'), {
      domain: 'registry.example.com:8443',
      implicitDomain: false,
      path: 'team/app',
      tag: '2.0',
      digest: undefined,
    });
  });

  it('treats "localhost" and hosts with dots as registries, other first components as Docker Hub users', () => {
    assert.equal(ref('localhost/app').domain, 'localhost');
    assert.equal(ref('gcr.io/proj/app').domain, 'gcr.io');
    assert.equal(ref('team/app').domain, 'docker.io');
    assert.equal(ref('team/app').path, 'team/app');
  });

  it('treats a first component with upper-case letters as a registry host', () => {
    const r = ref('MyRegistry/app');
    assert.equal(r.domain, 'MyRegistry');
    assert.equal(r.repository, 'myregistry/app');
  });

  it('reads a digest alone and a tag with a digest', () => {
    assert.deepEqual(parts(`gcr.io/proj/app@${SHA}`), { domain: 'gcr.io', implicitDomain: false, path: 'proj/app', tag: undefined, digest: SHA });
    assert.deepEqual(parts(`localhost:5000/app:1.0@${SHA}`), { domain: 'localhost:5000', implicitDomain: false, path: 'app', tag: '1.0', digest: SHA });
  });

  it('reads IPv6 registry hosts', () => {
    assert.equal(ref('[::1]:5000/app:v1').domain, '[::1]:5000');
  });

  it('rejects malformed references with a reason', () => {
    for (const bad of ['', ' nginx', 'nginx:', 'Nginx', 'app:bad/tag', 'gcr.io/', 'gcr.io/proj/App', 'a//b', `nginx@sha256:abc`, 'nginx@md5', ':1.0', `nginx:-x`, 'a..b/c']) {
      const r = parseImageReference(bad);
      assert.equal(r.ok, false, `"${bad}" should not parse`);
      if (!r.ok) assert.ok(r.reason.length > 0);
    }
  });

  it('rejects a sha256 digest of the wrong length or case', () => {
    assert.equal(parseImageReference('nginx@sha256:' + 'a'.repeat(63)).ok, false);
    assert.equal(parseImageReference('nginx@sha256:' + 'A'.repeat(64)).ok, false);
    assert.equal(parseImageReference('nginx@sha256:' + 'a'.repeat(64)).ok, true);
  });

  it('returns the same frozen result for the same string', () => {
    const a = parseImageReference('redis:7');
    assert.equal(parseImageReference('redis:7'), a);
    assert.ok(Object.isFrozen(a));
  });
});

describe('defaultPullPolicy', () => {
  it('is Always for latest or no tag without digest, IfNotPresent otherwise', () => {
    assert.equal(defaultPullPolicy(ref('nginx')), 'Always');
    assert.equal(defaultPullPolicy(ref('nginx:latest')), 'Always');
    assert.equal(defaultPullPolicy(ref(`nginx:latest@${SHA}`)), 'Always');
    assert.equal(defaultPullPolicy(ref('nginx:1.27')), 'IfNotPresent');
    assert.equal(defaultPullPolicy(ref(`nginx@${SHA}`)), 'IfNotPresent');
  });
});

describe('isMutable', () => {
  it('is false only with a digest', () => {
    assert.equal(isMutable(ref('nginx:1.27')), true);
    assert.equal(isMutable(ref(`nginx:1.27@${SHA}`)), false);
  });
});

describe('registry prefixes', () => {
  it('normalises entries', () => {
    assert.equal(normaliseRegistryPrefix('https://GCR.io/Proj/'), 'gcr.io/proj');
    assert.equal(normaliseRegistryPrefix(' index.docker.io '), 'docker.io');
    assert.equal(normaliseRegistryPrefix('  /'), undefined);
  });

  it('matches on path-segment boundaries', () => {
    const p = normaliseRegistryPrefix('gcr.io/team')!;
    assert.equal(isUnderRegistryPrefix(ref('gcr.io/team/app:1'), p), true);
    assert.equal(isUnderRegistryPrefix(ref('gcr.io/team'), p), true);
    assert.equal(isUnderRegistryPrefix(ref('gcr.io/teamx/app:1'), p), false);
    assert.equal(isUnderRegistryPrefix(ref('gcr.io.evil.com/team/app'), normaliseRegistryPrefix('gcr.io')!), false);
  });

  it('distinguishes registry ports', () => {
    const p = normaliseRegistryPrefix('localhost:5000')!;
    assert.equal(isUnderRegistryPrefix(ref('localhost:5000/app'), p), true);
    assert.equal(isUnderRegistryPrefix(ref('localhost:50001/app'), p), false);
    assert.equal(isUnderRegistryPrefix(ref('localhost/app'), p), false);
  });

  it('matches Docker Hub images written short against docker.io prefixes', () => {
    assert.equal(isUnderRegistryPrefix(ref('nginx'), 'docker.io'), true);
    assert.equal(isUnderRegistryPrefix(ref('nginx'), 'docker.io/library'), true);
    assert.equal(isUnderRegistryPrefix(ref('bitnami/redis'), 'docker.io/library'), false);
    assert.equal(isUnderRegistryPrefix(ref('bitnami/redis'), 'docker.io/bitnami'), true);
  });

  it('compares hosts case-insensitively', () => {
    assert.equal(isUnderRegistryPrefix(ref('Registry.Example.com/app'), normaliseRegistryPrefix('registry.example.COM')!), true);
  });
});
