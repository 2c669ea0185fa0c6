import { defineControl } from '../../core/control.js';
import {
  annotationPath, containerSecurityContext, containerSecurityContextPath, isObject, isSet, podSecurityContext, podSecurityContextPath, rawContainerName, shown,
} from './pod-fields.js';
import { atLeast, resolvePssVersion } from './version.js';

export const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
export const SECCOMP_CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

/** seccompProfile.type values every PSS level accepts. */
export function allowedSeccompType(t: unknown): boolean {
  return t === 'RuntimeDefault' || t === 'Localhost';
}

/** Values of the pre-1.19 seccomp annotations that PSA accepts (an empty value is not one of them). */
function allowedSeccompAnnotation(v: string): boolean {
  return v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
}

export default defineControl({
  meta: {
    id: 'PSS-SECCOMP-PROFILE-BASELINE',
    slug: 'seccomp-profile-baseline',
    title: 'Seccomp must not be disabled',
    severity: 'medium',
    category: 'pss',
    description:
      'Pod Security Admission check "seccompProfile_baseline" (baseline). Policy v1.0 to v1.18 read the annotations: seccomp.security.alpha.kubernetes.io/pod and container.seccomp.security.alpha.kubernetes.io/<name> (for the pod\'s own container names), when present, must be runtime/default, docker/default or localhost/<profile>. ' +
      'From v1.19 the annotations are ignored and the fields are read instead: spec.securityContext.seccompProfile.type and every container\'s securityContext.seccompProfile.type, when seccompProfile is set, must be RuntimeDefault or Localhost (Unconfined or a missing type is forbidden); leaving seccompProfile unset is allowed. ' +
      'At the restricted level PSA replaces this check with seccompProfile_restricted from v1.19.',
    rationale: 'An Unconfined seccomp profile gives the container every system call, including the rarely used ones behind most kernel privilege-escalation bugs.',
    remediation: 'Remove the Unconfined profile, or set seccompProfile.type to RuntimeDefault (or Localhost with a profile present on the nodes).',
    messages: {
      podType: 'Pod sets securityContext.seccompProfile.type to {{value}}; only RuntimeDefault or Localhost are allowed',
      containerType: 'Container "{{container}}" sets securityContext.seccompProfile.type to {{value}}; only RuntimeDefault or Localhost are allowed',
      annotation: 'Annotation {{key}} sets seccomp profile {{value}}; only runtime/default, docker/default or localhost/* are allowed',
    },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline', 'https://kubernetes.io/docs/tutorials/security/seccomp/'],
    mitre: ['T1611'],
    maturity: 'stable',
    pss: { level: 'baseline', check: 'seccompProfile_baseline' },
  },
  reusableVisitor: true,
  check(ctx) {
    const version = resolvePssVersion(ctx.settings.pssVersion);
    if (!atLeast(version, 19)) {
      return {
        podSpec(ps) {
          const annotations = ps.podMetadata.annotations;
          if (!isObject(annotations)) return;
          const checkKey = (key: string) => {
            if (!Object.prototype.hasOwnProperty.call(annotations, key)) return;
            const value = annotations[key];
            if (typeof value === 'string' && allowedSeccompAnnotation(value)) return;
            ctx.report({ messageId: 'annotation', data: { key, value: shown(value) }, path: annotationPath(ps, key), evidence: value });
          };
          checkKey(SECCOMP_POD_ANNOTATION);
          const seen = new Set<string>();
          for (const c of ps.containers) {
            const key = SECCOMP_CONTAINER_ANNOTATION_PREFIX + rawContainerName(c);
            if (seen.has(key)) continue; // two containers of one name share the annotation
            seen.add(key);
            checkKey(key);
          }
        },
      };
    }
    return {
      podSpec(ps) {
        const podProfile = podSecurityContext(ps)?.seccompProfile;
        if (isSet(podProfile)) {
          const type = isObject(podProfile) ? podProfile.type : undefined;
          if (!allowedSeccompType(type)) {
            ctx.report({ messageId: 'podType', data: { value: shown(type ?? '') }, path: podSecurityContextPath(ps, 'seccompProfile', 'type'), evidence: type });
          }
        }
        for (const c of ps.containers) {
          const profile = containerSecurityContext(c)?.seccompProfile;
          if (!isSet(profile)) continue;
          const type = isObject(profile) ? profile.type : undefined;
          if (!allowedSeccompType(type)) {
            ctx.report({
              messageId: 'containerType',
              data: { container: c.name, value: shown(type ?? '') },
              path: containerSecurityContextPath(c, 'seccompProfile', 'type'),
              evidence: type,
            });
          }
        }
      },
    };
  },
});
