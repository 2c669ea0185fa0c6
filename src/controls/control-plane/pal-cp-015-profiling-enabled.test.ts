import { ControlTester } from '../../engine/control-tester.js';
import control from './pal-cp-015-profiling-enabled.js';
import { FIRST_FLAG_LINE, HARDENED_CONTROL_PLANE, INSECURE_CONTROL_PLANE, lineOf, staticPod } from './__fixtures__/static-pods.js';

new ControlTester(control).run({
  valid: [
    { name: 'hardened control plane', yaml: HARDENED_CONTROL_PLANE },
    { name: 'scheduler with --config: the flag is ignored there', yaml: staticPod('kube-scheduler', ['--config=/etc/kubernetes/scheduler-config.yaml']) },
    { name: 'etcd has its own pprof switch', yaml: staticPod('etcd', []) },
  ],
  invalid: [
    {
      name: 'insecure control plane: explicit on the API server, by default on the others',
      yaml: INSECURE_CONTROL_PLANE,
      errors: [
        { messageId: 'enabled', path: 'spec.containers[0].command[8]', line: lineOf(INSECURE_CONTROL_PLANE, '--profiling=true'), resource: 'kube-apiserver-legacy-1' },
        { messageId: 'notSet', path: 'spec.containers[0].command', line: lineOf(INSECURE_CONTROL_PLANE, 'command:', 'kube-controller-manager-legacy-1'), resource: 'kube-controller-manager-legacy-1' },
        { messageId: 'notSet', path: 'spec.containers[0].command', line: lineOf(INSECURE_CONTROL_PLANE, 'command:', 'kube-scheduler-legacy-1'), resource: 'kube-scheduler-legacy-1' },
      ],
    },
    {
      name: 'bare flag means true (fix rewrites it)',
      yaml: staticPod('kube-controller-manager', ['--profiling']),
      errors: [{ messageId: 'enabled', path: 'spec.containers[0].command[1]', line: FIRST_FLAG_LINE }],
    },
    {
      name: 'image-only container without args (fix adds args)',
      yaml: `apiVersion: v1
kind: Pod
metadata: {name: sched, namespace: kube-system}
spec:
  containers:
    - name: scheduler
      image: registry.k8s.io/kube-scheduler:v1.31.4
`,
      errors: [{ messageId: 'notSet', path: 'spec.containers[0]', line: 6 }],
    },
    {
      name: 'inside a sh -c script (no fix)',
      yaml: `apiVersion: v1
kind: Pod
metadata: {name: api, namespace: kube-system}
spec:
  containers:
    - name: api
      image: example.com/k8s/apiserver:1.31
      command: [/bin/sh, -c, "exec kube-apiserver --profiling=true --secure-port=6443"]
`,
      errors: [{ messageId: 'enabled', path: 'spec.containers[0].command[2]', line: 8 }],
    },
  ],
});
