import { defineControl } from '../../core/control.js';
import { defaultPullPolicy, isMutable, parseImageReference } from '../image/image-reference.js';
import { setValueFix } from '../lazy-fix.js';
import { pathUnder } from '../finding-path.js';

export default defineControl({
  meta: {
    id: 'PAL-POD-013',
    slug: 'image-pull-policy',
    title: 'Containers with a mutable image tag should always pull',
    severity: 'low',
    category: 'workload',
    description:
      'Fails for every container whose image is referenced by tag (or by no tag, which means "latest") rather than by digest, when its effective imagePullPolicy is not Always. When imagePullPolicy is omitted the API server chooses Always for "latest" or no tag and IfNotPresent for any other tag; that default is what is checked. Images pinned by digest pass whatever the policy. Unparseable references are left to PAL-IMG-001.',
    rationale:
      'A tag can be moved to new content at any time. With IfNotPresent or Never, each node runs whatever it pulled under that tag first, so replicas of one Deployment can run different code, a rollback re-runs what is cached rather than what was meant, and a node that cached a compromised or since-fixed image keeps it. Worse, a pod can use an image already on the node without the registry checking that its pull secret grants access to it. Always makes the kubelet resolve the tag on every start.',
    remediation:
      'Pin the image by digest (image: registry/app@sha256:…), which makes the pull policy irrelevant; otherwise set imagePullPolicy: Always. Kubelets resolve the tag cheaply with a manifest request and reuse cached layers.',
    messages: {
      defaultIfNotPresent:
        'Container "{{container}}" uses tag "{{tag}}" of {{repository}} without a digest, and imagePullPolicy defaults to IfNotPresent',
      notAlways: 'Container "{{container}}" uses mutable image {{image}} with imagePullPolicy {{policy}}',
    },
    appliesTo: ['workloads'],
    references: [
      'https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy',
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
        if (!parsed.ok || !isMutable(parsed.ref)) return;
        const explicit = c.container.imagePullPolicy;
        const hasExplicit = typeof explicit === 'string' && explicit !== '';
        const policy = hasExplicit ? explicit : defaultPullPolicy(parsed.ref);
        if (policy === 'Always') return;
        const path = pathUnder(c.path, 'imagePullPolicy');
        ctx.report({
          messageId: hasExplicit ? 'notAlways' : 'defaultIfNotPresent',
          data: hasExplicit
            ? { container: c.name, image, policy }
            : { container: c.name, tag: parsed.ref.tag ?? '', repository: parsed.ref.repository },
          path,
          evidence: hasExplicit ? explicit : null,
          fix: setValueFix('add', path, 'Always'),
        });
      },
    };
  },
});
