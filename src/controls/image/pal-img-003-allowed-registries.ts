import { defineControl } from '../../core/control.js';
import { isUnderRegistryPrefix, normaliseRegistryPrefix, parseImageReference } from './image-reference.js';
import { pathUnder } from '../finding-path.js';

export default defineControl({
  meta: {
    id: 'PAL-IMG-003',
    slug: 'allowed-registries',
    title: 'Images must come from an allowed registry',
    severity: 'high',
    category: 'image',
    description:
      'When the allowedRegistries setting lists entries, fails for every container (including init and ephemeral containers) whose image repository is not under one of them. Entries are a registry host ("registry.example.com", "localhost:5000") or a host and path prefix ("ghcr.io/acme"), matched on whole path segments; Docker Hub images are normalised first ("nginx" is docker.io/library/nginx, "acme/app" is docker.io/acme/app; index.docker.io means docker.io). Image references that do not parse fail, since they cannot be shown to be allowed. With an empty list the control reports nothing.',
    rationale:
      'Where an image comes from decides who can change what runs in the cluster. Restricting images to registries the organisation controls or mirrors (where images are scanned, signed and retained) closes the path of a typo-squatted or hijacked public image, keeps deployments working when a public registry limits or loses an image, and makes the supply chain reviewable.',
    remediation:
      'Push or mirror the image into an allowed registry and reference it there, or, if the source is trustworthy, add it (as narrow a prefix as possible) to allowedRegistries in .palisade.yaml.',
    messages: {
      notAllowed: 'Container "{{container}}" uses image {{image}} from {{repository}}, which is not under an allowed registry ({{allowed}})',
      invalidReference: 'Container "{{container}}" has an image reference that cannot be checked against the allowed registries: {{reason}}',
    },
    appliesTo: ['workloads'],
    references: [
      'https://kubernetes.io/docs/concepts/containers/images/#image-names',
      'https://kubernetes.io/docs/concepts/security/security-checklist/',
    ],
    mitre: ['T1525', 'T1610'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    const prefixes: string[] = [];
    for (const entry of ctx.settings.allowedRegistries) {
      const p = normaliseRegistryPrefix(entry);
      if (p !== undefined && !prefixes.includes(p)) prefixes.push(p);
    }
    // No list, no policy: an empty visitor costs the engine nothing per resource.
    if (prefixes.length === 0) return {};
    const allowed = prefixes.join(', ');
    return {
      container(c) {
        const image = c.container.image;
        if (typeof image !== 'string') return;
        const parsed = parseImageReference(image);
        if (!parsed.ok) {
          ctx.report({ messageId: 'invalidReference', data: { container: c.name, reason: parsed.reason }, path: pathUnder(c.path, 'image'), evidence: image });
          return;
        }
        for (const p of prefixes) if (isUnderRegistryPrefix(parsed.ref, p)) return;
        ctx.report({
          messageId: 'notAllowed',
          data: { container: c.name, image, repository: parsed.ref.repository, allowed },
          path: pathUnder(c.path, 'image'),
          evidence: image,
        });
      },
    };
  },
});
