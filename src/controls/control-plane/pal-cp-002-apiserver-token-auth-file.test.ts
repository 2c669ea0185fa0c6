import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ControlTester, runControlOn } from '../../engine/control-tester.js';
import control from './pal-cp-002-apiserver-token-auth-file.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'OIDC instead of static tokens', yaml: staticPod('kube-apiserver', ['--oidc-issuer-url=https://id.example.com', '--oidc-client-id=kubernetes']) },
  ],
  invalid: [
    {
      name: 'insecure control plane',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [{ messageId: 'set', path: 'spec.containers[0].command[4]', line: lineOf(INSECURE_CONTROL_PLANE, '--token-auth-file') }],
    },
    {
      name: '--token-auth-file <path> points at the flag item',
      yaml: staticPod('kube-apiserver', ['--secure-port=6443', '--token-auth-file', '/srv/tokens.csv']),
      errors: [{ messageId: 'set', path: 'spec.containers[0].command[2]', line: FIRST_FLAG_LINE + 1 }],
    },
  ],
});

it('PAL-CP-002 never shows the token file path in message or evidence', () => {
  const [f] = runControlOn(control, staticPod('kube-apiserver', ['--token-auth-file=/srv/secret-tokens.csv']));
  assert.ok(f);
  assert.doesNotMatch(f.message + JSON.stringify(f.evidence), /secret-tokens/);
});
