import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ControlTester, runControlOn } from '../../engine/control-tester.js';
import control from './pal-img-003-allowed-registries.js';

const allowed = { allowedRegistries: ['registry.example.com', 'ghcr.io/acme', 'localhost:5000', 'docker.io/library'] };

new ControlTester(control).run({
  valid: [
    {
      name: 'an empty list allows everything',
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, image: "quay.io/anyone/anything:1"}, {name: b, image: "Not Valid"}]
`,
    },
    {
      name: 'hosts, host/path prefixes, ports and normalised Docker Hub official images',
      settings: allowed,
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - {name: a, image: "registry.example.com/team/app:1.0"}
    - {name: b, image: "REGISTRY.example.com/app:1.0"}
    - {name: c, image: "ghcr.io/acme/tool:2"}
    - {name: d, image: "localhost:5000/app"}
    - {name: e, image: "nginx:1.27"}
    - {name: f, image: "docker.io/library/redis:7"}
    - {name: g, image: "index.docker.io/busybox:1.36"}
`,
    },
    {
      name: 'scheme and trailing slash in entries are ignored',
      settings: { allowedRegistries: ['https://ghcr.io/acme/', ' '] },
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers: [{name: app, image: "ghcr.io/acme/app:1"}]
`,
    },
  ],
  invalid: [
    {
      name: 'prefixes match whole path segments, ports and hosts exactly',
      settings: allowed,
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      image: ghcr.io/acme-evil/tool:2
    - name: b
      image: localhost:5001/app
    - name: c
      image: registry.example.com.attacker.io/app:1
    - name: d
      image: bitnami/redis:7
`,
      errors: [
        { messageId: 'notAllowed', path: 'spec.containers[0].image', line: 8 },
        { messageId: 'notAllowed', path: 'spec.containers[1].image', line: 10 },
        { messageId: 'notAllowed', path: 'spec.containers[2].image', line: 12 },
        { messageId: 'notAllowed', path: 'spec.containers[3].image', line: 14 },
      ],
    },
    {
      name: 'init and ephemeral containers of a CronJob; unparseable references fail closed',
      settings: allowed,
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
          initContainers: [{name: init, image: "quay.io/x/init:1"}]
          containers: [{name: job, image: "registry.example.com/job:1"}, {name: bad, image: "Bad Ref"}]
          ephemeralContainers: [{name: debug, image: "public.ecr.aws/debug:1"}]
`,
      errors: [
        { messageId: 'notAllowed', path: 'spec.jobTemplate.spec.template.spec.initContainers[0].image', line: 12 },
        { messageId: 'invalidReference', path: 'spec.jobTemplate.spec.template.spec.containers[1].image', line: 13 },
        { messageId: 'notAllowed', path: 'spec.jobTemplate.spec.template.spec.ephemeralContainers[0].image', line: 14 },
      ],
    },
  ],
});

it('PAL-IMG-003 names the normalised repository and the allowed list', () => {
  const [f] = runControlOn(
    control,
    'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: "mongo:7"}]\n',
    { allowedRegistries: ['registry.example.com'] },
  );
  assert.equal(f!.message, 'Container "a" uses image mongo:7 from docker.io/library/mongo, which is not under an allowed registry (registry.example.com)');
});
