import { defineControl } from '../../core/control.js';
import { isObject, isSet } from './pod-fields.js';
import { resolvePssVersion } from './version.js';
import { pathUnder } from '../finding-path.js';

export default defineControl({
  meta: {
    id: 'PSS-HOST-PATH-VOLUMES',
    slug: 'host-path-volumes',
    title: 'Pods must not mount hostPath volumes',
    severity: 'high',
    category: 'pss',
    description:
      'Pod Security Admission check "hostPathVolumes" (baseline, every policy version from v1.0): no entry of spec.volumes may set hostPath. One finding per hostPath volume. At the restricted level PSA replaces this check with restrictedVolumes at every version (its allow-list excludes hostPath).',
    rationale:
      "A hostPath volume exposes the node's filesystem to the container: the container runtime socket, kubelet credentials, other pods' data, or /etc on the node are one mount away.",
    remediation: 'Replace the hostPath volume with an emptyDir, a ConfigMap/Secret/projected volume or a PersistentVolumeClaim.',
    messages: { hostPath: 'Volume "{{volume}}" mounts the host path {{hostPath}}' },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
    mitre: ['T1611'],
    maturity: 'stable',
    pss: { level: 'baseline', check: 'hostPathVolumes' },
  },
  reusableVisitor: true,
  check(ctx) {
    resolvePssVersion(ctx.settings.pssVersion);
    return {
      podSpec(ps) {
        const volumes = ps.spec.volumes;
        if (!Array.isArray(volumes)) return;
        for (let i = 0; i < volumes.length; i++) {
          const v: unknown = volumes[i];
          if (!isObject(v) || !isSet(v.hostPath)) continue;
          const hp = v.hostPath;
          const hostPath = isObject(hp) && typeof hp.path === 'string' ? JSON.stringify(hp.path) : '(unspecified)';
          ctx.report({
            messageId: 'hostPath',
            data: { volume: typeof v.name === 'string' ? v.name : `#${i}`, hostPath },
            path: pathUnder(ps.path, 'volumes', i, 'hostPath'),
            evidence: hp,
          });
        }
      },
    };
  },
});
