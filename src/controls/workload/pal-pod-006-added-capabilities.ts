import { defineControl } from '../../core/control.js';
import { addedCapabilities, containerSecurityContext } from './security-context.js';
import { pathUnder } from '../finding-path.js';

/** The one capability a non-root web server legitimately needs (ports below 1024). */
const ALLOWED = 'NET_BIND_SERVICE';

/**
 * Capabilities that alone give a route to the node, to other workloads' traffic or to
 * kernel memory, without their names prefixed with CAP_. Capabilities that container runtimes grant
 * by default anyway (CHOWN, DAC_OVERRIDE, SETUID…) are reported, but not as dangerous.
 */
const DANGEROUS: ReadonlySet<string> = new Set([
  'ALL', // every capability: privileged in all but devices
  'SYS_ADMIN', // mount, namespaces, BPF on older kernels: the classic escape
  'SYS_MODULE', // load kernel modules
  'SYS_RAWIO', // raw I/O ports and /dev/mem
  'SYS_PTRACE', // inspect and inject into other processes
  'SYS_BOOT', // reboot the node, load a new kernel
  'SYS_TIME', // set the node clock (breaks TLS and token expiry)
  'DAC_READ_SEARCH', // open host files by handle (the "shocker" escape)
  'NET_ADMIN', // reconfigure interfaces, routes and firewall rules
  'NET_RAW', // forge and sniff packets on the pod network (a default in some runtimes, not in others)
  'BPF', // load BPF programs
  'PERFMON', // read kernel performance data, with BPF tracing
  'MAC_ADMIN', // change AppArmor/SELinux policy
  'MAC_OVERRIDE', // bypass AppArmor/SELinux policy
  'SYSLOG', // read kernel logs with kernel addresses
  'AUDIT_CONTROL', // turn off kernel auditing
  'LINUX_IMMUTABLE', // change immutable and append-only file flags
]);

export default defineControl({
  meta: {
    id: 'PAL-POD-006',
    slug: 'added-capabilities',
    title: 'Containers should not add Linux capabilities',
    severity: 'medium',
    category: 'workload',
    description:
      'Fails for every entry of securityContext.capabilities.add other than NET_BIND_SERVICE, in containers, init containers and ephemeral containers. Capabilities that alone open a path to the node or to other workloads (ALL, SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE, DAC_READ_SEARCH, NET_RAW, BPF, PERFMON, SYS_RAWIO, SYS_BOOT and similar) get a message of their own. "CAP_X" and "X" are read as the same capability.',
    rationale:
      'Capabilities split root\'s power into pieces; each one added gives the container a piece of the kernel\'s trust. Several are enough on their own to take the node: SYS_ADMIN mounts file systems and creates namespaces, SYS_MODULE loads kernel code, SYS_PTRACE injects into processes, DAC_READ_SEARCH opens any host file by handle, NET_ADMIN and NET_RAW rewrite or spoof traffic of other pods. The restricted Pod Security Standard allows adding NET_BIND_SERVICE only.',
    remediation:
      'Remove the capability from securityContext.capabilities.add and drop ALL. Where a process really needs a privileged operation, give it the single narrow capability, document why, and prefer designs (a higher port behind a Service, a node agent in its own namespace) that need none.',
    messages: {
      added: 'Container "{{container}}" adds capability {{capability}}',
      dangerous: 'Container "{{container}}" adds dangerous capability {{capability}}, which can give access to the node or to other workloads',
    },
    appliesTo: ['workloads'],
    references: [
      'https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted',
      'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container',
      'https://man7.org/linux/man-pages/man7/capabilities.7.html',
    ],
    mitre: ['T1611', 'T1068'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      container(c) {
        const caps = addedCapabilities(containerSecurityContext(c.container));
        for (let i = 0; i < caps.length; i++) {
          const cap = caps[i]!;
          if (cap.name === ALLOWED) continue;
          ctx.report({
            messageId: DANGEROUS.has(cap.name) ? 'dangerous' : 'added',
            data: { container: c.name, capability: cap.name },
            path: pathUnder(c.path, 'securityContext', 'capabilities', 'add', cap.index),
            evidence: cap.raw,
          });
        }
      },
    };
  },
});
