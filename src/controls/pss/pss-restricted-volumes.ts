import { defineControl, type ControlContext } from '../../core/control.js';
import type { PodSpecView } from '../../core/inventory.js';
import { isObject, isSet } from './pod-fields.js';
import { resolvePssVersion } from './version.js';
import { pathUnder } from '../finding-path.js';

/**
 * Volume sources the restricted level allows. `image` (OCI image volumes) was added upstream
 * in Kubernetes 1.33 to the v1.0 check itself, so it is allowed at every pinned version.
 */
export const ALLOWED_VOLUME_SOURCES: ReadonlySet<string> = new Set([
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret',
]);

/** Reports volume `i` of the pod unless one of its sources is allowed. */
function reportVolume(ctx: ControlContext, ps: PodSpecView, v: unknown, i: number): void {
  const volume = isObject(v) && typeof v.name === 'string' ? v.name : `#${i}`;
  if (!isObject(v)) {
    ctx.report({ messageId: 'noSource', data: { volume }, path: pathUnder(ps.path, 'volumes', i) });
    return;
  }
  let firstOther: string | undefined;
  for (const key in v) {
    if (!Object.hasOwn(v, key) || key === 'name' || !isSet(v[key])) continue;
    if (ALLOWED_VOLUME_SOURCES.has(key)) return; // PSA accepts a volume as soon as one allowed source is set
    firstOther ??= key;
  }
  if (firstOther) ctx.report({ messageId: 'restricted', data: { volume, source: firstOther }, path: pathUnder(ps.path, 'volumes', i, firstOther) });
  else ctx.report({ messageId: 'noSource', data: { volume }, path: pathUnder(ps.path, 'volumes', i) });
}

export default defineControl({
  meta: {
    id: 'PSS-RESTRICTED-VOLUMES',
    slug: 'restricted-volumes',
    title: 'Pods may use only the allowed volume types',
    severity: 'medium',
    category: 'pss',
    description:
      'Pod Security Admission check "restrictedVolumes" (restricted, one behaviour for every policy version from v1.0): every entry of spec.volumes must have one of the sources configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret. ' +
      'Any other source (hostPath, nfs, iscsi, gitRepo, rbd, cephfs, …) or no source at all is forbidden. Upstream added image (Kubernetes 1.33) to the v1.0 check, so it is allowed at every pinned version. ' +
      'At the restricted level PSA runs this check instead of hostPathVolumes at every version. One finding per forbidden volume, at its source field.',
    rationale: 'Volume types outside the list either reach the node (hostPath) or mount storage directly with node credentials instead of through a PersistentVolume an administrator provisioned.',
    remediation: 'Use a PersistentVolumeClaim backed by a PersistentVolume for network storage, and emptyDir/ConfigMap/Secret/projected volumes for the rest.',
    messages: {
      restricted: 'Volume "{{volume}}" uses the {{source}} volume type, which the restricted level does not allow',
      noSource: 'Volume "{{volume}}" has no volume source the restricted level allows',
    },
    appliesTo: ['workloads'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted'],
    maturity: 'stable',
    pss: { level: 'restricted', check: 'restrictedVolumes' },
  },
  reusableVisitor: true,
  check(ctx) {
    resolvePssVersion(ctx.settings.pssVersion);
    return {
      podSpec(ps) {
        const volumes = ps.spec.volumes;
        if (!Array.isArray(volumes)) return;
        for (let i = 0; i < volumes.length; i++) reportVolume(ctx, ps, volumes[i], i);
      },
    };
  },
});
