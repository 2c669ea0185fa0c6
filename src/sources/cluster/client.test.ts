import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { PalisadeError } from '../../core/errors.js';
import { connect } from './client.js';

function kubeconfig(dir: string, name: string, opts: { cluster: string; server: string; context: string; current?: string; insecure?: boolean }): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      ...(opts.current ? [`current-context: ${opts.current}`] : []),
      'clusters:',
      `- name: ${opts.cluster}`,
      '  cluster:',
      `    server: ${opts.server}`,
      ...(opts.insecure ? ['    insecure-skip-tls-verify: true'] : []),
      'contexts:',
      `- name: ${opts.context}`,
      '  context:',
      `    cluster: ${opts.cluster}`,
      '    user: u',
      'users:',
      '- name: u',
      '  user: {}',
      '',
    ].join('\n'),
  );
  return file;
}

function withDir(fn: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'pal-kubeconfig-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const configError = (pattern: RegExp) => (e: unknown) => e instanceof PalisadeError && e.diagnostic.code === 'PALISADE_CLUSTER_CONFIG' && pattern.test(e.diagnostic.message);

test('KUBECONFIG lists several files: the first to set a value wins, contexts from all are usable', () =>
  withDir((dir) => {
    const a = kubeconfig(dir, 'a', { cluster: 'prod', server: 'https://prod.example.com:6443', context: 'prod', current: 'prod' });
    const b = kubeconfig(dir, 'b', { cluster: 'staging', server: 'https://staging.example.com', context: 'staging', current: 'staging' });
    const env = { KUBECONFIG: [a, join(dir, 'missing'), b].join(delimiter) };
    const current = connect({ env });
    assert.deepEqual([current.cluster, current.server], ['prod', 'https://prod.example.com:6443']);
    assert.deepEqual([connect({ env, context: 'staging' }).cluster, connect({ env, context: 'staging' }).server], ['staging', 'https://staging.example.com']);
    assert.equal(connect({ env, clusterName: 'eu-1' }).cluster, 'eu-1');
  }));

test('~/.kube/config is read when neither --kubeconfig nor KUBECONFIG is given', () =>
  withDir((dir) => {
    mkdirSync(join(dir, '.kube'));
    kubeconfig(join(dir, '.kube'), 'config', { cluster: 'home', server: 'https://home.example.com', context: 'home', current: 'home' });
    assert.equal(connect({ env: { HOME: dir } }).cluster, 'home');
    assert.throws(() => connect({ env: { HOME: join(dir, 'nowhere') } }), configError(/no kubeconfig found/));
  }));

test('refuses a plain-HTTP server without insecure-skip-tls-verify, a missing current-context and a missing file', () =>
  withDir((dir) => {
    const plain = kubeconfig(dir, 'plain', { cluster: 'c', server: 'http://10.0.0.1:8080', context: 'c', current: 'c' });
    assert.throws(() => connect({ kubeconfig: plain, env: {} }), configError(/plain-HTTP server http:\/\/10\.0\.0\.1:8080 needs insecure-skip-tls-verify/));
    const allowed = kubeconfig(dir, 'allowed', { cluster: 'c', server: 'http://10.0.0.1:8080/', context: 'c', current: 'c', insecure: true });
    assert.equal(connect({ kubeconfig: allowed, env: {} }).server, 'http://10.0.0.1:8080');
    const noCurrent = kubeconfig(dir, 'nocurrent', { cluster: 'c', server: 'https://c', context: 'c' });
    assert.throws(() => connect({ kubeconfig: noCurrent, env: {} }), configError(/names no cluster/));
    assert.throws(() => connect({ kubeconfig: join(dir, 'absent'), env: {} }), configError(/does not exist/));
  }));
