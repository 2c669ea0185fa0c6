import { defineControl } from '../../core/control.js';
import { containerSecurityContext, containerSecurityContextPath, isObject, podSecurityContext, podSecurityContextPath } from './pod-fields.js';
import { resolvePssVersion } from './version.js';

export default defineControl({
  meta: {
    id: 'PSS-WINDOWS-HOST-PROCESS',
    slug: 'windows-host-process',
    title: 'Windows pods must not run as HostProcess containers',
    severity: 'critical',
    category: 'pss',
    description:
      'Pod Security Admission check "windowsHostProcess" (baseline, every policy version from v1.0): securityContext.windowsOptions.hostProcess must be false or unset at pod level and on every container, init container and ephemeral container. One finding per field set to true.',
    rationale: "A HostProcess container runs directly on the Windows node as a host process, with the node's network and file system: it is the Windows equivalent of a privileged container.",
    remediation: 'Remove windowsOptions.hostProcess (or set it to false); run node-management tooling in a dedicated, separately governed namespace.',
    messages: {
      pod: 'Pod sets securityContext.windowsOptions.hostProcess to true',
      container: 'Container "{{container}}" sets securityContext.windowsOptions.hostProcess to true',
    },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
    mitre: ['T1611', 'T1610'],
    maturity: 'stable',
    pss: { level: 'baseline', check: 'windowsHostProcess' },
  },
  reusableVisitor: true,
  check(ctx) {
    resolvePssVersion(ctx.settings.pssVersion);
    return {
      podSpec(ps) {
        const podOpts = podSecurityContext(ps)?.windowsOptions;
        if (isObject(podOpts) && podOpts.hostProcess === true) {
          ctx.report({ messageId: 'pod', path: podSecurityContextPath(ps, 'windowsOptions', 'hostProcess'), evidence: true });
        }
        for (const c of ps.containers) {
          const opts = containerSecurityContext(c)?.windowsOptions;
          if (isObject(opts) && opts.hostProcess === true) {
            ctx.report({ messageId: 'container', data: { container: c.name }, path: containerSecurityContextPath(c, 'windowsOptions', 'hostProcess'), evidence: true });
          }
        }
      },
    };
  },
});
