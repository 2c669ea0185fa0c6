import { defineControl } from '../../core/control.js';
import type { ContainerView } from '../../core/inventory.js';
import { isObject } from './pod-fields.js';
import { atLeast, resolvePssVersion } from './version.js';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HANDLERS = ['postStart', 'preStop'] as const;
const ACTIONS = ['httpGet', 'tcpSocket'] as const;
/** Where each handler sits below the container, built once (most containers have probes). */
const PROBE_AT: readonly (readonly string[])[] = PROBES.map((p) => [p]);
const HANDLER_AT: readonly (readonly string[])[] = HANDLERS.map((h) => ['lifecycle', h]);

export default defineControl({
  meta: {
    id: 'PSS-HOST-PROBES-AND-HOST-LIFECYCLE',
    slug: 'host-probes-and-host-lifecycle',
    title: 'Probes and lifecycle handlers must not target another host',
    severity: 'medium',
    category: 'pss',
    description:
      'Pod Security Admission check "hostProbesAndHostLifecycle" (baseline, new in policy v1.34; does nothing at earlier versions): the host field of httpGet and tcpSocket in livenessProbe, readinessProbe, startupProbe and in lifecycle.postStart / lifecycle.preStop must be empty or unset, on every container, init container and ephemeral container. One finding per host field.',
    rationale:
      'The kubelet performs probes and HTTP lifecycle hooks from the node. A host field makes it send requests to any address the node can reach (link-local metadata services, node-local daemons, other tenants), which turns the pod spec into a server-side request forgery primitive.',
    remediation: 'Remove the host field so the kubelet targets the pod IP; use an HTTP header (httpGet.httpHeaders Host) when a virtual host name is needed.',
    messages: { host: 'Container "{{container}}" {{where}} targets host {{host}}' },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
    maturity: 'stable',
    pss: { level: 'baseline', check: 'hostProbesAndHostLifecycle' },
  },
  reusableVisitor: true,
  check(ctx) {
    const version = resolvePssVersion(ctx.settings.pssVersion);
    if (!atLeast(version, 34)) return {};
    const inspect = (c: ContainerView, at: readonly string[], handler: Record<string, unknown>) => {
      for (const action of ACTIONS) {
        const a = handler[action];
        if (!isObject(a)) continue;
        const host = a.host;
        if (host === undefined || host === null || host === '') continue;
        ctx.report({
          messageId: 'host',
          data: { container: c.name, where: `${at.join('.')}.${action}`, host: JSON.stringify(host) },
          path: [...c.path, ...at, action, 'host'],
          evidence: host,
        });
      }
    };
    return {
      podSpec(ps) {
        for (const c of ps.containers) {
          const k = c.container;
          for (let i = 0; i < PROBES.length; i++) {
            const handler = k[PROBES[i]!];
            if (isObject(handler)) inspect(c, PROBE_AT[i]!, handler);
          }
          const lc = k.lifecycle;
          if (isObject(lc)) {
            for (let i = 0; i < HANDLERS.length; i++) {
              const handler = lc[HANDLERS[i]!];
              if (isObject(handler)) inspect(c, HANDLER_AT[i]!, handler);
            }
          }
        }
      },
    };
  },
});
