import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from './router.js';

const routes = [
  { method: 'GET', path: '/api/v1/exceptions' },
  { method: 'POST', path: '/api/v1/exceptions' },
  { method: 'GET', path: '/api/v1/exceptions/{id}/events' },
  { method: 'POST', path: '/api/v1/exceptions/{id}/approve' },
  { method: 'GET', path: '/api/v1/scans/{id}' },
  { method: 'GET', path: '/api/v1/scans/latest' },
];

test('matches method and path, extracting decoded parameters', () => {
  const r = new Router(routes);
  const m = r.lookup('GET', '/api/v1/exceptions/EXC%201/events');
  assert.ok('found' in m);
  assert.equal(m.found.route.path, '/api/v1/exceptions/{id}/events');
  assert.deepEqual(m.found.params, { id: 'EXC 1' });
  const head = r.lookup('HEAD', '/api/v1/scans/7');
  assert.ok('found' in head && head.found.params.id === '7');
});

test('a literal segment wins over a parameter, whatever the declaration order', () => {
  const m = new Router(routes).lookup('GET', '/api/v1/scans/latest');
  assert.ok('found' in m && m.found.route.path === '/api/v1/scans/latest');
});

test('a known path under another method is 405 with the allowed methods; others are not found', () => {
  const r = new Router(routes);
  assert.deepEqual(r.lookup('DELETE', '/api/v1/exceptions'), { methodNotAllowed: ['GET', 'POST'] });
  assert.deepEqual(r.lookup('GET', '/api/v1/exceptions/x/approve'), { methodNotAllowed: ['POST'] });
  for (const p of ['/api/v1/exceptions/', '/api/v1/exceptions//events', '/api/v1/scans', '/api/v1/scans/1/2', '/api/v1/scans/%E0%A4%A']) {
    assert.deepEqual(r.lookup('GET', p), { notFound: true }, p);
  }
});

test('an encoded slash is never part of a parameter', () => {
  assert.deepEqual(new Router(routes).lookup('GET', '/api/v1/scans/1%2Fevents'), { notFound: true });
});

test('duplicate and malformed templates are refused when the table is built', () => {
  assert.throws(() => new Router([{ method: 'GET', path: '/a/{x}' }, { method: 'GET', path: '/a/{y}' }]), /duplicate route/);
  assert.throws(() => new Router([{ method: 'GET', path: '/a/x{y}' }]), /whole segment/);
  assert.throws(() => new Router([{ method: 'GET', path: 'a' }]), /must start with/);
});
