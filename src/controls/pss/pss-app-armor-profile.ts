import { defineControl } from '../../core/control.js';
import {
  annotationPath, containerSecurityContext, containerSecurityContextPath, isObject, isSet, podSecurityContext, podSecurityContextPath, shown,
} from './pod-fields.js';
import { resolvePssVersion } from './version.js';

export const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const ALLOWED_TYPES = new Set(['RuntimeDefault', 'Localhost']);

/** Annotation values PSA accepts: empty, runtime/default, or any localhost/ profile. */
function allowedAnnotationValue(v: string): boolean {
  return v === '' || v === 'runtime/default' || v.startsWith('localhost/');
}

export default defineControl({
  meta: {
    id: 'PSS-APP-ARMOR-PROFILE',
    slug: 'app-armor-profile',
    title: 'AppArmor must not be disabled or overridden with an unknown profile',
    severity: 'medium',
    category: 'pss',
    description:
      'Pod Security Admission check "appArmorProfile" (baseline, one behaviour for every policy version from v1.0). ' +
      'The fields spec.securityContext.appArmorProfile.type and securityContext.appArmorProfile.type of every container must be RuntimeDefault or Localhost when appArmorProfile is set (Unconfined, or a missing type, is forbidden). ' +
      'Annotations container.apparmor.security.beta.kubernetes.io/<container> must be empty, runtime/default or localhost/<profile>. ' +
      'Upstream added the field checks (Kubernetes 1.30) to the v1.0 check rather than to a new version, so both the fields and the annotations are checked at every pinned version; we do the same. One finding per offending field or annotation.',
    rationale: 'Unconfined AppArmor removes the mandatory access control layer that limits what a compromised container process can touch on the node.',
    remediation: 'Remove the Unconfined profile (or the annotation), or use RuntimeDefault / a Localhost profile loaded on the nodes.',
    messages: {
      podType: 'Pod sets securityContext.appArmorProfile.type to {{value}}; only RuntimeDefault or Localhost are allowed',
      containerType: 'Container "{{container}}" sets securityContext.appArmorProfile.type to {{value}}; only RuntimeDefault or Localhost are allowed',
      annotation: 'Annotation {{key}} sets AppArmor profile {{value}}; only runtime/default or localhost/* are allowed',
    },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline', 'https://kubernetes.io/docs/tutorials/security/apparmor/'],
    mitre: ['T1611'],
    maturity: 'stable',
    pss: { level: 'baseline', check: 'appArmorProfile' },
  },
  reusableVisitor: true,
  check(ctx) {
    resolvePssVersion(ctx.settings.pssVersion);
    return {
      podSpec(ps) {
        const podProfile = podSecurityContext(ps)?.appArmorProfile;
        if (isSet(podProfile)) {
          const type = isObject(podProfile) ? podProfile.type : undefined;
          if (typeof type !== 'string' || !ALLOWED_TYPES.has(type)) {
            ctx.report({ messageId: 'podType', data: { value: shown(type ?? '') }, path: podSecurityContextPath(ps, 'appArmorProfile', 'type'), evidence: type });
          }
        }
        for (const c of ps.containers) {
          const profile = containerSecurityContext(c)?.appArmorProfile;
          if (!isSet(profile)) continue;
          const type = isObject(profile) ? profile.type : undefined;
          if (typeof type !== 'string' || !ALLOWED_TYPES.has(type)) {
            ctx.report({
              messageId: 'containerType',
              data: { container: c.name, value: shown(type ?? '') },
              path: containerSecurityContextPath(c, 'appArmorProfile', 'type'),
              evidence: type,
            });
          }
        }
        // String values only: the API rejects others.
        const annotations = ps.podMetadata.annotations;
        if (!isObject(annotations)) return;
        for (const key of Object.keys(annotations)) {
          if (!key.startsWith(APPARMOR_ANNOTATION_PREFIX)) continue;
          const value = annotations[key];
          if (typeof value === 'string' && !allowedAnnotationValue(value)) {
            ctx.report({ messageId: 'annotation', data: { key, value: JSON.stringify(value) }, path: annotationPath(ps, key), evidence: value });
          }
        }
      },
    };
  },
});
