/**
 * The test table of the two health-probe controls, PAL-POD-011 (livenessProbe) and
 * PAL-POD-012 (readinessProbe): the same check on a different field, so the same cases,
 * written once and filled in with the probe field. Each control's own test file runs it.
 */
import type { InvalidCase, TestCase } from '../../../engine/control-tester.js';
import type { HealthProbe } from '../pod-lifecycle.js';

export function probeControlCases(probe: HealthProbe): { valid: (TestCase | string)[]; invalid: InvalidCase[] } {
  return {
    valid: [
      `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      initContainers: [{name: init, image: busybox:1.36}]
      containers:
        - name: app
          image: nginx:1.27
          ${probe}: {httpGet: {path: /healthz, port: 8080}}
      ephemeralContainers: [{name: debug, image: busybox:1.36}]
`,
      {
        name: 'Jobs and CronJobs run to completion and are exempt',
        yaml: `
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: job, image: busybox:1.36}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  schedule: "0 * * * *"
  jobTemplate: {spec: {template: {spec: {restartPolicy: OnFailure, containers: [{name: job, image: busybox:1.36}]}}}}
`,
      },
      {
        name: 'a bare pod with restartPolicy Never is a task',
        yaml: `
apiVersion: v1
kind: Pod
metadata: {name: once}
spec:
  restartPolicy: Never
  containers: [{name: task, image: busybox:1.36}]
`,
      },
    ],
    invalid: [
      {
        name: 'a pod with the default restart policy; a startupProbe does not count',
        yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: nginx:1.27
      startupProbe: {tcpSocket: {port: 8080}}
`,
        errors: [{ messageId: 'missing', path: `spec.containers[0].${probe}`, line: 7 }],
      },
      {
        name: 'only the container without the probe in a StatefulSet with restartPolicy Always',
        yaml: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      restartPolicy: Always
      containers:
        - name: db
          image: postgres:16
          ${probe}: {exec: {command: [pg_isready]}}
        - name: exporter
          image: exporter:0.15
`,
        errors: [{ messageId: 'missing', path: `spec.template.spec.containers[1].${probe}`, line: 13 }],
      },
      {
        name: 'every container of a DaemonSet',
        yaml: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  template:
    spec:
      containers: [{name: a, image: agent:1.0}, {name: b, image: agent:1.0}]
`,
        errors: [
          { messageId: 'missing', path: `spec.template.spec.containers[0].${probe}` },
          { messageId: 'missing', path: `spec.template.spec.containers[1].${probe}` },
        ],
      },
    ],
  };
}
