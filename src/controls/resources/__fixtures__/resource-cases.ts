/**
 * The test table of the four resource controls (PAL-RES-001..004). They share one check
 * (../container-resources.ts), so they share one set of cases, written once here and filled
 * in with the bound (limits or requests), the resource (cpu or memory) and the message id.
 * What differs between the two bounds is spelled out: the LimitRange fields that default
 * each, and that a limit counts as a request. Each control's own test file runs this table.
 */
import type { InvalidCase, TestCase } from '../../../engine/control-tester.js';
import type { ComputeResource, ResourceBound } from '../container-resources.js';

export interface ResourceCaseParams {
  bound: ResourceBound;
  resource: ComputeResource;
  /** The message id the control reports, stated here rather than read from the control. */
  messageId: string;
}

const QUANTITY: Readonly<Record<ComputeResource, string>> = { cpu: '500m', memory: '256Mi' };
const OTHER: Readonly<Record<ComputeResource, ComputeResource>> = { cpu: 'memory', memory: 'cpu' };

/** A pod whose one container sets no resources; cases append a resources block to it. */
const APP_POD = `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: nginx:1.27
`;

export function resourceControlCases({ bound, resource, messageId }: ResourceCaseParams): { valid: (TestCase | string)[]; invalid: InvalidCase[] } {
  const value = `{${resource}: ${QUANTITY[resource]}}`;
  const other = OTHER[resource];
  const otherValue = `{${other}: ${QUANTITY[other]}}`;
  const path = (prefix: string) => `${prefix}.resources.${bound}.${resource}`;
  // The LimitRange field that defaults the value first, and the last fallback.
  const defaultField = bound === 'limits' ? 'default' : 'defaultRequest';

  const valid: (TestCase | string)[] = [
    `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: init, image: busybox:1.36, resources: {${bound}: ${value}}}
  containers:
    - name: app
      image: nginx:1.27
      resources:
        ${bound}:
          ${resource}: ${QUANTITY[resource]}
  ephemeralContainers:
    - {name: debug, image: busybox:1.36}
`,
    {
      name: 'pod-level resources bound every container',
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      resources: {${bound}: ${value}}
      containers: [{name: a, image: nginx:1.27}, {name: b, image: nginx:1.27}]
`,
    },
    {
      name: 'a LimitRange of type Container in the same namespace supplies the default',
      yaml: `
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: shop}
spec:
  limits:
    - type: Container
      ${defaultField}: ${value}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: app, image: nginx:1.27}]
`,
    },
  ];
  if (bound === 'requests') {
    valid.push({
      name: 'a limit without a request counts, since the API copies it into the request',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - {name: app, image: nginx:1.27, resources: {limits: ${value}}}
`,
    });
  }
  const fallback = bound === 'limits' ? { name: 'a LimitRange max also becomes the default limit', lr: 'ceiling', field: 'max' } : { name: 'a LimitRange min also becomes the default request', lr: 'floor', field: 'min' };
  valid.push({
    name: fallback.name,
    yaml: `
apiVersion: v1
kind: LimitRange
metadata: {name: ${fallback.lr}, namespace: shop}
spec:
  limits: [{type: Container, ${fallback.field}: ${value}}]
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers: [{name: app, image: nginx:1.27}]
`,
  });

  // What the container sets instead, which must not count, and the line of its resources.
  const notCounted =
    bound === 'limits'
      ? { name: 'a request does not count as a limit', resources: [`requests: ${value}`], line: 9 }
      : { name: `a request of the other resource, or a ${other} limit, does not count`, resources: [`requests: ${otherValue}`, `limits: ${otherValue}`], line: 10 };

  const invalid: InvalidCase[] = [
    { yaml: APP_POD, errors: [{ messageId, path: path('spec.containers[0]'), line: 7 }] },
    {
      name: notCounted.name,
      yaml: `${APP_POD}      resources:\n${notCounted.resources.map((l) => `        ${l}\n`).join('')}`,
      errors: [{ messageId, path: path('spec.containers[0]'), line: notCounted.line }],
    },
    {
      name: 'init container of a Deployment; a LimitRange elsewhere or of type Pod does not count',
      yaml: `
apiVersion: v1
kind: LimitRange
metadata: {name: other-ns, namespace: other}
spec:
  limits: [{type: Container, ${defaultField}: ${value}}]
---
apiVersion: v1
kind: LimitRange
metadata: {name: pod-type, namespace: shop}
spec:
  limits: [{type: Pod, max: ${value}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: app:1.0
      containers:
        - {name: app, image: app:1.0, resources: {${bound}: ${value}}}
`,
      errors: [{ messageId, path: path('spec.template.spec.initContainers[0]'), line: 21, resource: 'web' }],
    },
    {
      yaml: `
apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: job, image: busybox:1.36, resources: {}}]
`,
      errors: [{ messageId, path: path('spec.jobTemplate.spec.template.spec.containers[0]'), line: 12 }],
    },
  ];
  return { valid, invalid };
}
