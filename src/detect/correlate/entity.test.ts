import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { event } from '../audit/test-events.js';
import { countsAsRequest, describeIdentity, entitiesOf, eventFacts } from './entity.js';
import { describeDuration, parseDuration } from './duration.js';

describe('entities of an audit event', () => {
  it('are the user, the impersonated user and the exec/attach target pod', () => {
    const f = eventFacts(event({ verb: 'create', user: { username: 'alice' }, impersonatedUser: { username: 'admin' }, objectRef: { resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-1' } }));
    assert.deepEqual(entitiesOf(f), [
      { kind: 'user', id: 'alice' },
      { kind: 'impersonated', id: 'admin' },
      { kind: 'pod', id: 'shop/web-1' },
    ]);
    assert.deepEqual(entitiesOf(eventFacts(event({ objectRef: { resource: 'pods', namespace: 'shop', name: 'web-1' } }))), [{ kind: 'user', id: 'alice@example.com' }]);
  });

  it('skips the RequestReceived stage, which the same request repeats later', () => {
    assert.equal(countsAsRequest(eventFacts(event({ stage: 'RequestReceived' }))), false);
    assert.equal(countsAsRequest(eventFacts(event({ stage: 'ResponseComplete' }))), true);
  });

  it('names identities for explanations', () => {
    assert.equal(describeIdentity('system:serviceaccount:shop:api'), 'service account shop/api');
    assert.equal(describeIdentity('alice'), 'user alice');
  });
});

describe('durations', () => {
  it('parse as operators write them', () => {
    assert.equal(parseDuration('30m'), 1_800_000);
    assert.equal(parseDuration('7d'), 604_800_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('90'), 90_000);
    for (const bad of ['', 'soon', '5 m', '0s', '-1h', '1h 2m']) assert.equal(parseDuration(bad), undefined, bad);
    assert.equal(describeDuration(14 * 86_400_000 + 5), '14 days');
    assert.equal(describeDuration(60_000), '1 minute');
  });
});
