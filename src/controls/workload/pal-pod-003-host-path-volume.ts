import { posix } from 'node:path';
import { defineControl } from '../../core/control.js';
import { isPlainObject } from './security-context.js';
import { pathUnder } from '../finding-path.js';

/**
 * Host locations whose exposure is a direct route to the node: container runtime and
 * kubelet state and sockets, kernel interfaces, credentials and node configuration.
 * Anything beneath them is sensitive, and so is any ancestor (mounting /var exposes
 * /var/run/docker.sock).
 */
const SENSITIVE_HOST_PATHS: readonly string[] = [
  '/boot',
  '/dev',
  '/etc/kubernetes',
  '/etc/shadow',
  '/etc/sudoers',
  '/etc/sudoers.d',
  '/etc/ssh',
  '/proc',
  '/root',
  '/run/containerd',
  '/run/crio',
  '/run/docker.sock',
  '/sys',
  '/var/lib/containerd',
  '/var/lib/docker',
  '/var/lib/etcd',
  '/var/lib/kubelet',
  '/var/log',
  '/var/run/containerd',
  '/var/run/crio',
  '/var/run/cri-dockerd.sock',
  '/var/run/docker.sock',
];

const SLASH = 0x2f;

/** True when `hostPath` is, contains or lies under a sensitive host location. */
export function isSensitiveHostPath(hostPath: string): boolean {
  if (!hostPath.startsWith('/')) return false;
  let p = posix.normalize(hostPath);
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  if (p === '/') return true;
  for (const s of SENSITIVE_HOST_PATHS) {
    // Equal, under (s + '/' starts p) or above (p + '/' starts s), without building those strings.
    if (p === s || (p.startsWith(s) && p.charCodeAt(s.length) === SLASH) || (s.startsWith(p) && s.charCodeAt(p.length) === SLASH)) return true;
  }
  return false;
}

export default defineControl({
  meta: {
    id: 'PAL-POD-003',
    slug: 'host-path-volume',
    title: 'Pods should not mount hostPath volumes',
    severity: 'high',
    category: 'workload',
    description:
      'Fails for every volume of a pod spec that uses hostPath. The message says more when the path is, contains or lies under a sensitive host location: the root, /etc and node credentials, container runtime sockets and state (/var/run/docker.sock, /run/containerd, /var/lib/docker), kubelet state (/var/lib/kubelet), /proc, /sys, /dev or the node logs.',
    rationale:
      'A hostPath volume puts a piece of the node\'s file system inside the container. Writable, it lets the container plant files the node will execute or trust; readable, it leaks kubelet credentials, other pods\' secrets and logs. A container runtime socket is equivalent to root on the node: whoever reaches it starts a privileged container. hostPath also pins the pod to what one node holds and escapes every storage quota.',
    remediation:
      'Use a volume type made for the purpose instead: emptyDir for scratch space, a PersistentVolumeClaim for data, configMap/secret/projected volumes for configuration and credentials, a CSI driver for node-local storage. Where a node agent truly needs a host path, mount the narrowest path read-only, set the hostPath type, and record an exception.',
    messages: {
      hostPath: 'Volume "{{volume}}" mounts host path {{hostPath}}',
      sensitiveHostPath: 'Volume "{{volume}}" mounts sensitive host path {{hostPath}}, which exposes node or runtime internals',
    },
    appliesTo: ['workloads'],
    references: [
      'https://kubernetes.io/docs/concepts/storage/volumes/#hostpath',
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline',
    ],
    mitre: ['T1611', 'T1552.001'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      podSpec(ps) {
        const volumes = ps.spec.volumes;
        if (!Array.isArray(volumes)) return;
        for (let i = 0; i < volumes.length; i++) {
          const v = volumes[i];
          if (!isPlainObject(v) || !isPlainObject(v.hostPath)) continue;
          const hostPath = typeof v.hostPath.path === 'string' ? v.hostPath.path : '';
          ctx.report({
            messageId: isSensitiveHostPath(hostPath) ? 'sensitiveHostPath' : 'hostPath',
            data: { volume: typeof v.name === 'string' ? v.name : `#${i}`, hostPath: hostPath || '(unset)' },
            path: pathUnder(ps.path, 'volumes', i, 'hostPath', 'path'),
            evidence: hostPath,
          });
        }
      },
    };
  },
});
