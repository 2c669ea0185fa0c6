import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { atLeast, comparePssVersions, isPssVersion, parsePssVersion, PSS_LATEST_MINOR, resolvePssVersion } from './version.js';

describe('PSS policy versions', () => {
  it('parses latest, v1.N and 1.N', () => {
    assert.deepEqual(parsePssVersion('latest'), { latest: true });
    assert.deepEqual(parsePssVersion(' Latest '), { latest: true });
    assert.deepEqual(parsePssVersion('v1.0'), { latest: false, minor: 0 });
    assert.deepEqual(parsePssVersion('v1.25'), { latest: false, minor: 25 });
    assert.deepEqual(parsePssVersion('1.30'), { latest: false, minor: 30 });
  });

  it('rejects what is not a policy version', () => {
    for (const bad of ['', 'v2.0', 'v1', '1', 'v1.25.3', 'v1.x', 'newest', 'v1.-1']) {
      assert.equal(parsePssVersion(bad), undefined, bad);
      assert.equal(isPssVersion(bad), false, bad);
    }
    assert.equal(isPssVersion(25), false);
    assert.throws(() => resolvePssVersion('v2.0'), /invalid Pod Security Standards version "v2.0"/);
  });

  it('resolves latest (and nothing given) to the newest version any check defines', () => {
    assert.equal(resolvePssVersion('latest').minor, PSS_LATEST_MINOR);
    assert.equal(resolvePssVersion(undefined).name, `v1.${PSS_LATEST_MINOR}`);
    assert.equal(resolvePssVersion('').minor, PSS_LATEST_MINOR);
  });

  it('clamps versions newer than the newest check to it, as PSA does', () => {
    assert.equal(resolvePssVersion('v1.99').minor, PSS_LATEST_MINOR);
    assert.equal(resolvePssVersion('v1.99').requested, 'v1.99');
    assert.equal(comparePssVersions('v1.99', 'latest'), 0);
  });

  it('orders versions numerically, not as text', () => {
    assert.ok(comparePssVersions('v1.9', 'v1.10') < 0);
    assert.ok(comparePssVersions('1.25', 'v1.8') > 0);
    assert.ok(atLeast(resolvePssVersion('v1.19'), 19));
    assert.ok(!atLeast(resolvePssVersion('v1.18'), 19));
  });
});
