import { ControlTester } from '../../engine/control-tester.js';
import control from './pss-restricted-volumes.js';

new ControlTester(control).run({
  valid: [
    {
      name: 'every allowed source, image included even at v1.0',
      settings: { pssVersion: 'v1.0' },
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, image: x}]
  volumes:
    - {name: a, configMap: {name: cm}}
    - {name: b, csi: {driver: secrets-store.csi.k8s.io}}
    - {name: c, downwardAPI: {items: []}}
    - {name: d, emptyDir: {}}
    - {name: e, ephemeral: {volumeClaimTemplate: {spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}}}
    - {name: f, image: {reference: "registry.example/data:1"}}
    - {name: g, persistentVolumeClaim: {claimName: data}}
    - {name: h, projected: {sources: []}}
    - {name: i, secret: {secretName: s}}
`,
    },
  ],
  invalid: [
    {
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, image: x}]
  volumes:
    - {name: ok, emptyDir: {}}
    - {name: host, hostPath: {path: /etc}}
    - {name: share, nfs: {server: nfs.example, path: /}}
    - name: repo
      gitRepo: {repository: "https://example.com/r.git"}
    - {name: bare}
    - {name: nulled, emptyDir: null}
`,
      errors: [
        { messageId: 'restricted', path: 'spec.volumes[1].hostPath', line: 9 },
        { messageId: 'restricted', path: 'spec.volumes[2].nfs', line: 10 },
        { messageId: 'restricted', path: 'spec.volumes[3].gitRepo', line: 12 },
        { messageId: 'noSource', path: 'spec.volumes[4]', line: 13 },
        { messageId: 'noSource', path: 'spec.volumes[5]', line: 14 },
      ],
    },
  ],
});
