import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { K8sObject } from '../../core/resource.js';
import { computeRules } from './autogen.js';
import { setCelBackend } from './cel.js';
import { compilePolicy, evaluatePolicy, failureActionFor, MAX_FOREACH_ELEMENTS, PolicyFormatError } from './engine.js';
import { kindMatches, parseKindEntry, ruleMatchMismatches, type MatchContext, type MatchTarget } from './match.js';
import type { EvaluateOptions } from './types.js';

type Obj = Record<string, unknown>;

function policy(rules: Obj[], extra: { annotations?: Record<string, string>; spec?: Obj; kind?: string; namespace?: string } = {}): Obj {
  return {
    apiVersion: 'kyverno.io/v1',
    kind: extra.kind ?? 'ClusterPolicy',
    metadata: { name: 'p', ...(extra.namespace ? { namespace: extra.namespace } : {}), ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: { ...extra.spec, rules },
  };
}

const podRule = (name: string, validate: Obj, match: Obj = { any: [{ resources: { kinds: ['Pod'] } }] }): Obj => ({ name, match, validate });

function pod(name: string, spec: Obj = { containers: [{ name: 'c', image: 'nginx:1.25' }] }, meta: Obj = {}): K8sObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', ...meta }, spec } as K8sObject;
}

function run(p: Obj, r: K8sObject, opts?: EvaluateOptions) {
  return evaluatePolicy(compilePolicy(p as never), r, opts);
}

const target = (kind: string, apiVersion = 'v1', extra: Partial<MatchTarget> = {}): MatchTarget => ({ apiVersion, kind, name: 'x', namespace: 'ns', labels: {}, annotations: {}, ...extra });
const mc: MatchContext = { operation: 'CREATE' };

describe('match and exclude', () => {
  it('parses every kinds form', () => {
    assert.deepEqual(parseKindEntry('Pod'), { gv: '', kind: 'Pod', subresource: '' });
    assert.deepEqual(parseKindEntry('v1/Pod'), { gv: 'v1', kind: 'Pod', subresource: '' });
    assert.deepEqual(parseKindEntry('apps/v1/Deployment'), { gv: 'apps/v1', kind: 'Deployment', subresource: '' });
    assert.deepEqual(parseKindEntry('Pod/status'), { gv: '', kind: 'Pod', subresource: 'status' });
    assert.deepEqual(parseKindEntry('apps/v1/Deployment/scale'), { gv: 'apps/v1', kind: 'Deployment', subresource: 'scale' });
  });

  it('matches kinds by name, group/version, wildcard and subresource', () => {
    assert.ok(kindMatches(['Pod'], target('Pod'), mc));
    assert.ok(kindMatches(['v1/Pod'], target('Pod'), mc));
    assert.ok(!kindMatches(['apps/v1/Pod'], target('Pod'), mc));
    assert.ok(kindMatches(['apps/*/Deployment'], target('Deployment', 'apps/v1'), mc));
    assert.ok(!kindMatches(['apps/v2/Deployment'], target('Deployment', 'apps/v1'), mc));
    assert.ok(kindMatches(['*'], target('Anything'), mc));
    assert.ok(kindMatches(['*Ingress'], target('Ingress', 'networking.k8s.io/v1'), mc));
    assert.ok(!kindMatches(['Pod/status'], target('Pod'), mc), 'a subresource entry needs a subresource request');
    assert.ok(kindMatches(['Pod/status'], target('Pod'), { ...mc, subresource: 'status' }));
    assert.ok(!kindMatches(['Pod'], target('Pod'), { ...mc, subresource: 'status' }));
    const scale: MatchContext = {
      ...mc,
      subresources: [{ subresource: { name: 'deployments/scale', kind: 'Scale', group: 'autoscaling', version: 'v1' }, parentResource: { name: 'deployments', kind: 'Deployment', group: 'apps', version: 'v1' } }],
    };
    assert.ok(kindMatches(['Deployment/scale'], target('Scale', 'autoscaling/v1'), scale));
  });

  it('applies names, namespaces (the name for Namespace objects), annotations, selectors and operations', () => {
    const rule = (resources: Obj) => ({ match: { any: [{ resources: { kinds: ['*'], ...resources } }] } });
    assert.deepEqual(ruleMatchMismatches(rule({ names: ['x', 'y*'] }), target('Pod'), mc), []);
    assert.notDeepEqual(ruleMatchMismatches(rule({ names: ['y*'] }), target('Pod'), mc), []);
    assert.deepEqual(ruleMatchMismatches(rule({ namespaces: ['kube-*'] }), target('Namespace', 'v1', { name: 'kube-system', namespace: undefined }), mc), []);
    assert.deepEqual(ruleMatchMismatches(rule({ annotations: { 'acme.io/*': 'on' } }), target('Pod', 'v1', { annotations: { 'acme.io/scan': 'on' } }), mc), []);
    assert.deepEqual(ruleMatchMismatches(rule({ selector: { matchLabels: { app: 'web-*' } } }), target('Pod', 'v1', { labels: { app: 'web-1' } }), mc), []);
    assert.notDeepEqual(ruleMatchMismatches(rule({ selector: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] } }), target('Pod', 'v1', { labels: { app: 'a' } }), mc), []);
    assert.deepEqual(ruleMatchMismatches(rule({ operations: ['UPDATE'] }), target('Pod'), { operation: 'UPDATE' }), []);
    assert.notDeepEqual(ruleMatchMismatches(rule({ operations: ['UPDATE'] }), target('Pod'), mc), []);
    const ns: MatchContext = { ...mc, namespaceLabels: { ns: { env: 'prod' } } };
    assert.deepEqual(ruleMatchMismatches(rule({ namespaceSelector: { matchLabels: { env: 'prod' } } }), target('Pod'), ns), []);
    assert.notDeepEqual(ruleMatchMismatches(rule({ namespaceSelector: { matchLabels: { env: 'prod' } } }), target('Pod'), mc), []);
  });

  it('any needs one filter, all needs every filter, and exclude any/all remove resources', () => {
    const anyRule = { match: { any: [{ resources: { kinds: ['Service'] } }, { resources: { kinds: ['Pod'] } }] } };
    assert.deepEqual(ruleMatchMismatches(anyRule, target('Pod'), mc), []);
    const allRule = { match: { all: [{ resources: { kinds: ['Pod'] } }, { resources: { namespaces: ['other'] } }] } };
    assert.notDeepEqual(ruleMatchMismatches(allRule, target('Pod'), mc), []);
    const excludeAny = { match: { any: [{ resources: { kinds: ['Pod'] } }] }, exclude: { any: [{ resources: { namespaces: ['other'] } }, { resources: { names: ['x'] } }] } };
    assert.notDeepEqual(ruleMatchMismatches(excludeAny, target('Pod'), mc), []);
    const excludeAll = { match: { any: [{ resources: { kinds: ['Pod'] } }] }, exclude: { all: [{ resources: { namespaces: ['ns'] } }, { resources: { names: ['other'] } }] } };
    assert.deepEqual(ruleMatchMismatches(excludeAll, target('Pod'), mc), []);
    const legacy = { match: { resources: { kinds: ['Pod'] } }, exclude: { resources: { namespaces: ['ns'] } } };
    assert.notDeepEqual(ruleMatchMismatches(legacy, target('Pod'), mc), []);
  });

  it('matches subjects, roles and cluster roles from the request, and ignores them in match without request info', () => {
    const rule = { match: { any: [{ resources: { kinds: ['Pod'] }, subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' }] }] } };
    const sa: MatchContext = { ...mc, request: { userInfo: { username: 'system:serviceaccount:ci:deployer' } } };
    const other: MatchContext = { ...mc, request: { userInfo: { username: 'alice', groups: ['devs'] } } };
    assert.deepEqual(ruleMatchMismatches(rule, target('Pod'), sa), []);
    assert.notDeepEqual(ruleMatchMismatches(rule, target('Pod'), other), []);
    assert.deepEqual(ruleMatchMismatches(rule, target('Pod'), mc), [], 'no user info: user criteria are ignored');
    const group = { match: { any: [{ resources: { kinds: ['Pod'] }, subjects: [{ kind: 'Group', name: 'devs' }] }] } };
    assert.deepEqual(ruleMatchMismatches(group, target('Pod'), other), []);
    const roles = { match: { any: [{ resources: { kinds: ['Pod'] }, roles: ['shop:editor'], clusterRoles: ['view'] }] } };
    assert.deepEqual(ruleMatchMismatches(roles, target('Pod'), { ...mc, request: { roles: ['shop:editor'], clusterRoles: ['view'] } }), []);
    assert.notDeepEqual(ruleMatchMismatches(roles, target('Pod'), { ...mc, request: { roles: ['shop:editor'], clusterRoles: ['edit'] } }), []);
    const admins = { match: { any: [{ resources: { kinds: ['Pod'] } }] }, exclude: { any: [{ clusterRoles: ['cluster-admin'] }] } };
    assert.notDeepEqual(ruleMatchMismatches(admins, target('Pod'), { ...mc, request: { clusterRoles: ['cluster-admin'] } }), []);
  });
});

describe('autogen', () => {
  const tag = podRule('tag', { pattern: { spec: { containers: [{ image: '*:*' }] } }, message: 'm {{ request.object.metadata.name }}' });

  it('generates controller and CronJob rules with moved patterns and rewritten variables', () => {
    const { rules, autogen } = computeRules(policy([tag]));
    assert.deepEqual(rules.map((r) => r.name), ['tag', 'autogen-tag', 'autogen-cronjob-tag']);
    const ctrl = rules[1] as { match: { any: { resources: { kinds: string[] } }[] }; validate: Obj };
    assert.deepEqual(ctrl.match.any[0]!.resources.kinds, ['DaemonSet', 'Deployment', 'Job', 'ReplicaSet', 'ReplicationController', 'StatefulSet']);
    assert.deepEqual(ctrl.validate.pattern, { spec: { template: { spec: { containers: [{ image: '*:*' }] } } } });
    assert.equal(ctrl.validate.message, 'm {{ request.object.spec.template.metadata.name }}');
    const cron = rules[2] as { match: { any: { resources: { kinds: string[] } }[] }; validate: Obj };
    assert.deepEqual(cron.match.any[0]!.resources.kinds, ['CronJob']);
    assert.deepEqual(cron.validate.pattern, { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ image: '*:*' }] } } } } } });
    assert.equal(autogen.origin.get('autogen-cronjob-tag'), 'tag');
  });

  it('follows the autogen-controllers annotation, including none', () => {
    const some = computeRules(policy([tag], { annotations: { 'pod-policies.kyverno.io/autogen-controllers': 'StatefulSet,CronJob' } })).rules;
    assert.deepEqual(some.map((r) => r.name), ['tag', 'autogen-tag', 'autogen-cronjob-tag']);
    assert.deepEqual((some[1] as { match: { any: { resources: { kinds: string[] } }[] } }).match.any[0]!.resources.kinds, ['StatefulSet']);
    const cronOnly = computeRules(policy([tag], { annotations: { 'pod-policies.kyverno.io/autogen-controllers': 'CronJob' } })).rules;
    assert.deepEqual(cronOnly.map((r) => r.name), ['tag', 'autogen-cronjob-tag']);
    const none = computeRules(policy([tag], { annotations: { 'pod-policies.kyverno.io/autogen-controllers': 'none' } })).rules;
    assert.deepEqual(none.map((r) => r.name), ['tag']);
  });

  it('skips the whole policy when a rule names resources, selects by labels or annotations, mixes kinds or generates', () => {
    const other = podRule('other', { pattern: { a: 1 } });
    for (const resources of [{ kinds: ['Pod'], names: ['a'] }, { kinds: ['Pod'], name: 'a' }, { kinds: ['Pod'], selector: { matchLabels: { a: 'b' } } }, { kinds: ['Pod'], annotations: { a: 'b' } }, { kinds: ['Pod', 'Service'] }]) {
      const rules = computeRules(policy([other, podRule('x', { pattern: { a: 1 } }, { any: [{ resources }] })])).rules;
      assert.deepEqual(rules.map((r) => r.name), ['other', 'x'], JSON.stringify(resources));
    }
    const gen = computeRules(policy([other, { name: 'g', match: { any: [{ resources: { kinds: ['Namespace'] } }] }, generate: { kind: 'ConfigMap' } }])).rules;
    assert.deepEqual(gen.map((r) => r.name), ['other', 'g']);
    const exclude = computeRules(policy([{ ...other, exclude: { any: [{ resources: { names: ['skip-me'] } }] } }])).rules;
    assert.deepEqual(exclude.map((r) => r.name), ['other']);
    const noPods = computeRules(policy([podRule('svc', { pattern: { a: 1 } }, { any: [{ resources: { kinds: ['Service'] } }] })])).rules;
    assert.deepEqual(noPods.map((r) => r.name), ['svc']);
  });

  it('keeps exclude kinds in step and truncates long names to 63 characters', () => {
    const long = 'r'.repeat(60);
    const rules = computeRules(policy([{ ...podRule(long, { deny: {} }), exclude: { any: [{ resources: { kinds: ['Pod'], namespaces: ['kube-system'] } }] } }])).rules;
    assert.equal(rules[1]!.name, `autogen-${long}`.slice(0, 63));
    assert.deepEqual((rules[1] as { exclude: { any: { resources: { kinds: string[] } }[] } }).exclude.any[0]!.resources.kinds.length, 6);
  });

  it('rewrites CEL variables for CEL rules', () => {
    const rules = computeRules(policy([podRule('c', { cel: { expressions: [{ expression: 'object.spec.containers.all(c, true) && oldObject == null' }] } })])).rules;
    assert.equal((rules[1] as { validate: { cel: { expressions: { expression: string }[] } } }).validate.cel.expressions[0]!.expression, 'object.spec.template.spec.containers.all(c, true) && oldObject == null');
  });
});

describe('evaluating policies', () => {
  it('rejects documents that are not policies', () => {
    assert.throws(() => compilePolicy({ apiVersion: 'v1', kind: 'ConfigMap' } as never), PolicyFormatError);
    assert.throws(() => compilePolicy(policy([]) as never), /spec.rules/);
    assert.throws(() => compilePolicy(policy([{ match: {} }]) as never), /every rule needs a name/);
  });

  it('reports mutate, generate and verifyImages rules as unsupported, never as passes', () => {
    const p = policy([
      { name: 'm', match: { any: [{ resources: { kinds: ['Pod'] } }] }, mutate: { patchStrategicMerge: { metadata: { labels: { '+(a)': 'b' } } } } },
      { name: 'v', match: { any: [{ resources: { kinds: ['Pod'] } }] }, verifyImages: [{ imageReferences: ['*'] }] },
    ]);
    const results = run(p, pod('a'));
    assert.deepEqual(results.map((r) => [r.rule, r.status, r.ruleType]), [
      ['m', 'skip', 'Mutation'],
      ['v', 'skip', 'ImageVerify'],
    ]);
    assert.ok(results.every((r) => r.unsupported && r.message.startsWith('unsupported offline:')));
  });

  it('computes the failure action from the policy, the rule and namespace overrides', () => {
    const p = compilePolicy(
      policy([podRule('a', { pattern: {} }), podRule('b', { pattern: {}, failureAction: 'Enforce' })], {
        spec: { validationFailureAction: 'audit', validationFailureActionOverrides: [{ action: 'Enforce', namespaces: ['prod-*'] }, { action: 'Audit', namespaceSelector: { matchLabels: { trial: 'yes' } } }] },
      }) as never,
    );
    const [a, b] = p.rules;
    assert.equal(failureActionFor(p, a!, 'dev', {}), 'Audit');
    assert.equal(failureActionFor(p, a!, 'prod-eu', {}), 'Enforce');
    assert.equal(failureActionFor(p, b!, 'dev', {}), 'Enforce');
    const q = compilePolicy(policy([podRule('a', { pattern: {} })], { spec: { validationFailureAction: 'Enforce', validationFailureActionOverrides: [{ action: 'Audit', namespaceSelector: { matchLabels: { trial: 'yes' } } }] } }) as never);
    assert.equal(failureActionFor(q, q.rules[0]!, 'sandbox', { sandbox: { trial: 'yes' } }), 'Audit');
    assert.equal(run(policy([podRule('a', { pattern: { x: 1 } })]), pod('a'))[0]!.failureAction, 'Audit');
  });

  it('turns failures of a policy that is not scored into warnings', () => {
    const results = run(policy([podRule('a', { pattern: { spec: { hostNetwork: true } } })], { annotations: { 'policies.kyverno.io/scored': 'false' } }), pod('a'));
    assert.equal(results[0]!.status, 'warn');
  });

  it('a namespaced Policy only sees its own namespace', () => {
    const p = policy([podRule('a', { pattern: { spec: { hostNetwork: true } } })], { kind: 'Policy', namespace: 'shop' });
    assert.equal(run(p, pod('a')).length, 1);
    assert.equal(run(p, { ...pod('b'), metadata: { name: 'b', namespace: 'other' } } as K8sObject).length, 0);
    assert.equal(compilePolicy(p as never).id, 'shop/p');
  });

  it('applyRules: One stops after the first rule that applies', () => {
    const rules = [podRule('a', { pattern: { spec: { containers: [{ image: '*' }] } } }), podRule('b', { pattern: { spec: { containers: [{ image: '*' }] } } })];
    assert.equal(run(policy(rules, { spec: { applyRules: 'One' } }), pod('a')).length, 1);
    assert.equal(run(policy(rules), pod('a')).length, 2);
  });

  it('skips Pods owned by controllers the autogen annotation covers', () => {
    const p = policy([podRule('a', { pattern: { spec: { hostNetwork: true } } })], { annotations: { 'pod-policies.kyverno.io/autogen-controllers': 'Deployment' } });
    assert.equal(run(p, pod('owned', undefined, { ownerReferences: [{ kind: 'ReplicaSet', name: 'x' }] })).length, 0);
    assert.equal(run(p, pod('free')).length, 1);
  });

  it('on UPDATE, skips a failure that the old object already had', () => {
    const p = policy([podRule('a', { message: 'no host network', pattern: { spec: { '=(hostNetwork)': false } } })]);
    const bad = pod('a', { hostNetwork: true, containers: [] });
    assert.equal(run(p, bad, { operation: 'UPDATE', oldObject: bad })[0]!.status, 'skip');
    assert.equal(run(p, bad, { operation: 'UPDATE', oldObject: pod('a') })[0]!.status, 'fail');
  });

  it('exposes request, service account and images variables', () => {
    const p = policy([
      podRule('a', {
        message: '{{ serviceAccountName }}/{{ request.operation }}/{{ images.containers.c.registry }}/{{ images.containers.c.tag }}/{{ request.userInfo.username }}',
        deny: { conditions: { all: [{ key: '{{ request.namespace }}', operator: 'Equals', value: 'shop' }] } },
      }),
    ]);
    const r = run(p, pod('a'), { request: { userInfo: { username: 'system:serviceaccount:ci:deployer' } } })[0]!;
    assert.equal(r.message, 'deployer/CREATE/docker.io/1.25/system:serviceaccount:ci:deployer');
  });

  it('points a failed deny at the field its condition reads, and a foreach failure at the element', () => {
    const deny = run(policy([podRule('a', { deny: { conditions: { any: [{ key: '{{ request.object.spec.containers[0].image }}', operator: 'Equals', value: 'nginx:*' }] } } })]), pod('a'))[0]!;
    assert.deepEqual(deny.path, ['spec', 'containers', 0, 'image']);
    const each = run(
      policy([podRule('b', { foreach: [{ list: 'request.object.spec.containers', deny: { conditions: { any: [{ key: '{{ element.name }}', operator: 'Equals', value: 'bad' }] } } }] })]),
      pod('b', { containers: [{ name: 'ok', image: 'a:1' }, { name: 'bad', image: 'b:1' }] }),
    )[0]!;
    assert.equal(each.status, 'fail');
    assert.deepEqual(each.path, ['spec', 'containers', 1]);
  });

  it('bounds foreach lists', () => {
    const containers = Array.from({ length: MAX_FOREACH_ELEMENTS + 1 }, (_, i) => ({ name: `c${i}`, image: 'a:1' }));
    const r = run(policy([podRule('a', { foreach: [{ list: 'request.object.spec.containers', pattern: { image: '*' } }] })]), pod('a', { containers }))[0]!;
    assert.equal(r.status, 'error');
    assert.match(r.message, /over the limit/);
  });

  it('foreach elementScope: false applies the pattern to the resource', () => {
    const r = run(
      policy([podRule('a', { foreach: [{ list: 'request.object.spec.containers', elementScope: false, pattern: { metadata: { name: 'a' } } }] })]),
      pod('a'),
    )[0]!;
    assert.equal(r.status, 'pass');
    const bad = run(policy([podRule('a', { foreach: [{ list: 'request.object.metadata.name', elementScope: true, pattern: { x: 1 } }] })]), pod('a'))[0]!;
    assert.equal(bad.status, 'error');
  });

  it('applies PolicyExceptions, and merges their podSecurity exclusions into podSecurity rules', () => {
    const p = policy([podRule('pss', { podSecurity: { level: 'baseline', version: 'latest' } }), podRule('pattern', { pattern: { spec: { '=(hostNetwork)': false } } })]);
    const exception = (spec: Obj): K8sObject => ({ apiVersion: 'kyverno.io/v2', kind: 'PolicyException', metadata: { name: 'e', namespace: 'shop' }, spec }) as K8sObject;
    const hostNet = pod('h', { hostNetwork: true, containers: [{ name: 'c', image: 'a:1' }] });
    const match = { any: [{ resources: { kinds: ['Pod'], namespaces: ['shop'] } }] };
    const skipped = run(p, hostNet, { exceptions: [exception({ exceptions: [{ policyName: 'p', ruleNames: ['pattern'] }], match })] });
    assert.deepEqual(skipped.map((r) => [r.rule, r.status]), [
      ['pss', 'fail'],
      ['pattern', 'skip'],
    ]);
    assert.equal(skipped[1]!.exception, 'shop/e');
    const pss = run(p, hostNet, { exceptions: [exception({ exceptions: [{ policyName: 'p', ruleNames: ['pss'] }], match, podSecurity: [{ controlName: 'Host Namespaces' }] })] });
    assert.equal(pss[0]!.status, 'pass');
    const conditional = run(p, hostNet, {
      exceptions: [exception({ exceptions: [{ policyName: 'p', ruleNames: ['*'] }], match, conditions: { any: [{ key: '{{ request.object.metadata.name }}', operator: 'Equals', value: 'other' }] } })],
    });
    assert.deepEqual(conditional.map((r) => r.status), ['fail', 'fail']);
  });

  it('reports podSecurity checks with Kyverno control names and the failing field', () => {
    const r = run(policy([podRule('pss', { podSecurity: { level: 'baseline', version: 'latest' } })]), pod('p', { containers: [{ name: 'c', image: 'a:1', securityContext: { privileged: true } }] }))[0]!;
    assert.equal(r.status, 'fail');
    assert.equal(r.podSecurityChecks?.[0]?.controlName, 'Privileged Containers');
    assert.deepEqual(r.path, ['spec', 'containers', 0, 'securityContext', 'privileged']);
    assert.match(r.message, /violates PodSecurity "baseline:latest"/);
  });

  it('reports context entries that need a cluster, and uses supplied values instead', () => {
    const p = policy([
      {
        ...podRule('cm', { deny: { conditions: { any: [{ key: '{{ cm.data.mode }}', operator: 'Equals', value: 'locked' }] } } }),
        context: [{ name: 'cm', configMap: { name: 'settings', namespace: 'shop' } }],
      },
    ]);
    const missing = run(p, pod('a'))[0]!;
    assert.equal(missing.status, 'error');
    assert.match(missing.unsupported ?? '', /configMap context entry "cm"/);
    assert.equal(run(p, pod('a'), { ruleValues: () => ({ 'cm.data.mode': 'locked' }) })[0]!.status, 'fail');
  });

  it('evaluates CEL with the Kubernetes libraries of the Palisade CEL environment', () => {
    const p = policy([
      podRule('mem', {
        cel: {
          expressions: [
            {
              expression: "object.spec.containers.all(c, !has(c.resources) || !has(c.resources.limits) || quantity(c.resources.limits.memory).isLessThan(quantity('2Gi')))",
              message: 'memory limits stay below 2Gi',
            },
          ],
        },
      }),
    ]);
    const withLimit = (m: string) => pod('m', { containers: [{ name: 'c', image: 'a:1', resources: { limits: { memory: m } } }] });
    assert.equal(run(p, withLimit('512Mi'))[0]!.status, 'pass');
    assert.equal(run(p, withLimit('4Gi'))[0]!.status, 'fail');
  });

  it('evaluates CEL rules and preconditions, and lets the CEL backend be replaced', () => {
    const p = policy([
      { ...podRule('c', { cel: { expressions: [{ expression: "object.metadata.name == 'a'", message: 'must be a' }] } }), celPreconditions: [{ name: 'shop only', expression: "object.metadata.namespace == 'shop'" }] },
      podRule('params', { cel: { paramKind: { kind: 'ConfigMap' }, expressions: [{ expression: 'true' }] } }),
    ]);
    assert.deepEqual(run(p, pod('a')).map((r) => r.status), ['pass', 'error']);
    assert.equal(run(p, pod('b'))[0]!.message, 'must be a');
    assert.equal(run(p, { ...pod('a'), metadata: { name: 'a', namespace: 'dev' } } as K8sObject)[0]!.status, 'skip');
    assert.match(run(p, pod('a'))[1]!.unsupported ?? '', /paramKind/);
    setCelBackend({ name: 'always-false', compile: () => ({ evaluate: () => false }) });
    try {
      assert.equal(run(p, pod('a'))[0]!.status, 'skip', 'the replaced backend decides the preconditions too');
    } finally {
      setCelBackend(undefined);
    }
  });
});
