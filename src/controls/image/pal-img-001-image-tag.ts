import { defineControl } from '../../core/control.js';
import { DEFAULT_TAG, parseImageReference } from './image-reference.js';
import { pathUnder } from '../finding-path.js';

export default defineControl({
  meta: {
    id: 'PAL-IMG-001',
    slug: 'image-tag',
    title: 'Images must name a version, not "latest" or nothing',
    severity: 'medium',
    category: 'image',
    description:
      'Fails for every container (including init and ephemeral containers) whose image has neither a tag nor a digest, or whose tag is "latest" without a digest. A digest pins the image whatever tag is written beside it. Image references that do not parse are reported too, since no runtime can pull them as written.',
    rationale:
      '"latest" (which is also what an image without a tag means) is a moving label: the same manifest deploys different code on different days and nodes, a rollback goes nowhere, and nobody can say from the manifest which version, and which vulnerabilities, are running. It also defeats review: the change that matters happens in a registry, not in the pull request.',
    remediation:
      'Reference a specific version (app:1.4.2), ideally pinned by digest (app:1.4.2@sha256:…), and let automation (Renovate, Dependabot, an image updater) propose the updates as reviewed changes.',
    messages: {
      noTag: 'Container "{{container}}" uses image {{image}} without a tag or digest, which means "latest"',
      latestTag: 'Container "{{container}}" uses image {{image}} with the "latest" tag',
      invalidReference: 'Container "{{container}}" has an invalid image reference {{image}}: {{reason}}',
    },
    appliesTo: ['workloads'],
    references: [
      'https://kubernetes.io/docs/concepts/containers/images/#image-names',
      'https://kubernetes.io/docs/concepts/configuration/overview/#container-images',
    ],
    mitre: ['T1525'],
    maturity: 'stable',
  },
  reusableVisitor: true,
  check(ctx) {
    return {
      container(c) {
        const image = c.container.image;
        // An absent image is the API's concern (controllers may fill it in); only strings are read.
        if (typeof image !== 'string') return;
        const parsed = parseImageReference(image);
        if (!parsed.ok) {
          ctx.report({ messageId: 'invalidReference', data: { container: c.name, image: JSON.stringify(image), reason: parsed.reason }, path: pathUnder(c.path, 'image'), evidence: image });
          return;
        }
        const { tag, digest } = parsed.ref;
        if (digest !== undefined) return;
        if (tag === undefined) ctx.report({ messageId: 'noTag', data: { container: c.name, image }, path: pathUnder(c.path, 'image'), evidence: image });
        else if (tag === DEFAULT_TAG) ctx.report({ messageId: 'latestTag', data: { container: c.name, image }, path: pathUnder(c.path, 'image'), evidence: image });
      },
    };
  },
});
