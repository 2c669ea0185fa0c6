import { defineControl } from '../../core/control.js';
import type { JsonPatchOp } from '../../core/finding.js';
import type { ContainerView } from '../../core/inventory.js';
import { fixOf } from '../lazy-fix.js';
import { containerSecurityContext, isWindowsPod, setFieldPatch } from './security-context.js';
import { pathUnder } from '../finding-path.js';

function readOnlyRootFix(c: ContainerView): JsonPatchOp[] {
  return setFieldPatch(c.container, c.path, ['securityContext', 'readOnlyRootFilesystem'], true);
}

export default defineControl({
  meta: {
    id: 'PAL-POD-007',
    slug: 'writable-root-filesystem',
    title: 'Containers should run with a read-only root file system',
    severity: 'low',
    category: 'workload',
    description:
      'Fails for every container and init container whose securityContext.readOnlyRootFilesystem is not true. Ephemeral containers are not checked: they are debugging sessions attached by an operator (kubectl debug), often need to install tools, cannot be restarted or removed, and are not part of the workload\'s design; the controls on privilege still cover them. Pods for Windows nodes are skipped, since the field cannot be set there.',
    rationale:
      'A writable root file system lets an intruder change the container\'s binaries and configuration, drop tools and persist across process restarts within the container\'s life. Making it read-only turns every write into a deliberate choice: a volume mounted where the application needs to write (emptyDir for temporary files), which is also easier to size and observe.',
    remediation:
      'Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir volume at each path the application writes to (commonly /tmp, caches, PID and lock files).',
    messages: {
      notSet: 'Container "{{container}}" has a writable root file system: readOnlyRootFilesystem is not set',
      disabled: 'Container "{{container}}" has a writable root file system (readOnlyRootFilesystem: false)',
    },
    appliesTo: ['workloads'],
    references: [
      'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
      'https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/',
    ],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      podSpec(ps) {
        if (isWindowsPod(ps)) return;
        for (const c of ps.containers) {
          if (c.kind === 'ephemeralContainer') continue;
          const value = containerSecurityContext(c.container)?.readOnlyRootFilesystem;
          if (value === true) continue;
          ctx.report({
            messageId: value === false ? 'disabled' : 'notSet',
            data: { container: c.name },
            path: pathUnder(c.path, 'securityContext', 'readOnlyRootFilesystem'),
            evidence: value ?? null,
            fix: fixOf(readOnlyRootFix, c),
          });
        }
      },
    };
  },
});
