import { defineControl } from '../../core/control.js';
import { parseImageReference } from './image-reference.js';
import { pathUnder } from '../finding-path.js';

export default defineControl({
  meta: {
    id: 'PAL-IMG-002',
    slug: 'image-digest',
    title: 'Images should be pinned by digest',
    severity: 'low',
    category: 'image',
    description:
      'Fails for every container (including init and ephemeral containers) whose image reference has no digest (@sha256:…), whatever its tag. Unparseable references are left to PAL-IMG-001.',
    rationale:
      'Even a version tag can be re-pushed, by mistake or by an attacker with write access to the registry, and every node that pulls afterwards runs the new content. A digest names the content itself: the runtime verifies what it pulls against it, so the manifest says exactly what runs, and a review or a signature check covers what is deployed.',
    remediation:
      'Reference images as name:tag@sha256:<digest> (the tag stays for humans, the digest decides). Resolve digests in CI when the manifest is rendered, or let an admission policy or image updater add them.',
    messages: {
      noDigest: 'Container "{{container}}" uses image {{image}} without a digest',
    },
    appliesTo: ['workloads'],
    references: [
      'https://kubernetes.io/docs/concepts/containers/images/#image-names',
      'https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests',
    ],
    mitre: ['T1525'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      container(c) {
        const image = c.container.image;
        if (typeof image !== 'string') return;
        const parsed = parseImageReference(image);
        if (!parsed.ok || parsed.ref.digest !== undefined) return;
        ctx.report({ messageId: 'noDigest', data: { container: c.name, image }, path: pathUnder(c.path, 'image'), evidence: image });
      },
    };
  },
});
