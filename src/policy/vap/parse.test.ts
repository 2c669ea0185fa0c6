import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { K8sObject } from '../../core/resource.js';
import { parseValidatingAdmissionPolicy, parseValidatingAdmissionPolicyBinding } from './index.js';

const policy = (spec: Record<string, unknown>): K8sObject => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'p' }, spec });
const binding = (spec: Record<string, unknown>): K8sObject => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'b' }, spec: { policyName: 'p', validationActions: ['Deny'], ...spec } });
const RULES = { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'] }] };

const errors = (problems: { level: string; path: readonly (string | number)[]; message: string }[]) => problems.filter((p) => p.level === 'error').map((p) => `${p.path.join('.')}: ${p.message}`);

describe('ValidatingAdmissionPolicy validation', () => {
  it('applies the API defaults', () => {
    const { value } = parseValidatingAdmissionPolicy(policy({ matchConstraints: RULES, validations: [{ expression: 'true' }] }));
    assert.equal(value!.failurePolicy, 'Fail');
    assert.equal(value!.matchConstraints.matchPolicy, 'Equivalent');
    assert.equal(value!.matchConstraints.resourceRules[0]!.scope, '*');
    assert.deepEqual(value!.matchConstraints.namespaceSelector, {});
  });

  it('rejects what the API server rejects, naming the field', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ validations: [{ expression: 'true' }] }, /^spec.matchConstraints: required/],
      [{ matchConstraints: {}, validations: [{ expression: 'true' }] }, /^spec.matchConstraints.resourceRules: required/],
      [{ matchConstraints: RULES }, /^spec.validations: required: a policy needs at least one validation or audit annotation/],
      [{ matchConstraints: { resourceRules: [{ ...RULES.resourceRules[0], operations: ['PATCH'] }] }, validations: [{ expression: 'true' }] }, /operations.0: unsupported value "PATCH"/],
      [{ matchConstraints: { resourceRules: [{ ...RULES.resourceRules[0], apiGroups: ['*', 'apps'] }] }, validations: [{ expression: 'true' }] }, /apiGroups: if '\*' is present, it must be the only entry/],
      [{ matchConstraints: { resourceRules: [{ ...RULES.resourceRules[0], resources: ['*', 'pods'] }] }, validations: [{ expression: 'true' }] }, /if '\*' is present, must not specify other resources without subresources/],
      [{ matchConstraints: { resourceRules: [{ ...RULES.resourceRules[0], resources: ['pods/*', 'pods/status'] }] }, validations: [{ expression: 'true' }] }, /if 'pods\/\*' is present, must not specify pods\/status/],
      [{ matchConstraints: RULES, failurePolicy: 'Sometimes', validations: [{ expression: 'true' }] }, /failurePolicy: unsupported value "Sometimes"/],
      [{ matchConstraints: RULES, validations: [{ expression: 'true', message: 'two\nlines' }] }, /message: must not contain line breaks/],
      [{ matchConstraints: RULES, validations: [{ expression: 'true', reason: 'Conflict' }] }, /reason: unsupported value "Conflict"/],
      [{ matchConstraints: RULES, auditAnnotations: [{ key: 'bad key!', valueExpression: "'x'" }] }, /key: "bad key!" is not a valid annotation key part/],
      [{ matchConstraints: RULES, variables: [{ name: 'my-var', expression: '1' }], validations: [{ expression: 'true' }] }, /name: "my-var" is not a valid CEL identifier/],
      [{ matchConstraints: RULES, matchConditions: [{ name: 'a', expression: 'true' }, { name: 'a', expression: 'true' }], validations: [{ expression: 'true' }] }, /duplicate match condition name "a"/],
      [{ matchConstraints: { ...RULES, namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In' }] } }, validations: [{ expression: 'true' }] }, /values: must be specified when operator is In/],
    ];
    for (const [spec, expected] of cases) {
      const r = parseValidatingAdmissionPolicy(policy(spec));
      assert.equal(r.value, undefined, JSON.stringify(spec));
      assert.ok(errors(r.problems).some((e) => expected.test(e)), `${JSON.stringify(spec)} → ${errors(r.problems).join(' | ')}`);
    }
  });

  it('keeps a policy whose expressions do not compile (failurePolicy decides at evaluation) and locates the error', () => {
    const r = parseValidatingAdmissionPolicy(policy({ matchConstraints: RULES, validations: [{ expression: 'object.spec.replicas <= ' }, { expression: "'a string'" }] }));
    assert.ok(r.value);
    const cel = r.problems.filter((p) => p.cel);
    assert.equal(cel.length, 2);
    assert.deepEqual(cel[0]!.path, ['spec', 'validations', 0, 'expression']);
    assert.equal(cel[0]!.cel!.code, 'PALISADE_CEL_SYNTAX');
    assert.match(cel[1]!.message, /must evaluate to bool, not string/);
  });

  it('refuses references to variables that are not defined before use', () => {
    const r = parseValidatingAdmissionPolicy(
      policy({ matchConstraints: RULES, variables: [{ name: 'a', expression: 'variables.b + 1' }, { name: 'b', expression: '1' }], validations: [{ expression: 'variables.c == 1' }] }),
    );
    const messages = r.problems.filter((p) => p.cel).map((p) => p.message);
    assert.match(messages[0]!, /undefined variable 'b'/);
    assert.match(messages[1]!, /undefined variable 'c'/);
    assert.equal(r.problems.find((p) => p.cel)!.cel!.position.column, 11);
  });
});

describe('ValidatingAdmissionPolicyBinding validation', () => {
  it('requires validation actions, without duplicates, and never Deny with Warn', () => {
    assert.match(errors(parseValidatingAdmissionPolicyBinding(binding({ validationActions: [] })).problems)[0]!, /validationActions: required/);
    assert.match(errors(parseValidatingAdmissionPolicyBinding(binding({ validationActions: ['Audit', 'Audit'] })).problems)[0]!, /duplicate value "Audit"/);
    assert.match(errors(parseValidatingAdmissionPolicyBinding(binding({ validationActions: ['Warn', 'Deny'] })).problems)[0]!, /Deny and Warn may not be used together/);
    assert.ok(parseValidatingAdmissionPolicyBinding(binding({ validationActions: ['Deny', 'Audit'] })).value);
    assert.ok(parseValidatingAdmissionPolicyBinding(binding({ validationActions: ['Warn', 'Audit'] })).value);
  });

  it('checks paramRef: name or selector, not both; parameterNotFoundAction', () => {
    assert.match(errors(parseValidatingAdmissionPolicyBinding(binding({ paramRef: { name: 'a', selector: {}, parameterNotFoundAction: 'Deny' } })).problems)[0]!, /mutually exclusive/);
    assert.match(errors(parseValidatingAdmissionPolicyBinding(binding({ paramRef: { parameterNotFoundAction: 'Deny' } })).problems)[0]!, /one of name or selector/);
    assert.match(errors(parseValidatingAdmissionPolicyBinding(binding({ paramRef: { name: 'a', parameterNotFoundAction: 'Maybe' } })).problems)[0]!, /unsupported value "Maybe"/);
    // Missing: the API server requires it; read as Deny with a warning.
    const missing = parseValidatingAdmissionPolicyBinding(binding({ paramRef: { name: 'a' } }));
    assert.equal(missing.value!.paramRef!.parameterNotFoundAction, 'Deny');
    assert.match(missing.problems[0]!.message, /required by the API server/);
  });
});
