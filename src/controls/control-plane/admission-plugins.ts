import type { ControlContext } from '../../core/control.js';
import type { ComponentFlags, ListItem } from './flags.js';

/**
 * Admission plugins kube-apiserver turns on without being asked (1.30+ `--help`). Only the
 * membership of the plugins our controls ask about matters; the list is kept whole so a
 * reader can check it against the release they run.
 */
const DEFAULT_ENABLED = new Set([
  'NamespaceLifecycle', 'LimitRanger', 'ServiceAccount', 'TaintNodesByCondition', 'PodSecurity', 'Priority',
  'DefaultTolerationSeconds', 'DefaultStorageClass', 'StorageObjectInUseProtection', 'PersistentVolumeClaimResize',
  'RuntimeClass', 'CertificateApproval', 'CertificateSigning', 'ClusterTrustBundleAttest', 'CertificateSubjectRestriction',
  'DefaultIngressClass', 'MutatingAdmissionWebhook', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionWebhook', 'ResourceQuota',
]);

export type PluginState =
  /** Named in --enable-admission-plugins (or the legacy --admission-control list). */
  | { enabled: true; how: 'listed'; item: ListItem }
  /** On by default and not disabled. */
  | { enabled: true; how: 'default' }
  /** Named in --disable-admission-plugins. */
  | { enabled: false; how: 'disabled'; item: ListItem }
  /** Off by default and not listed (or left out of a legacy --admission-control list). */
  | { enabled: false; how: 'absent' };

/** Whether kube-apiserver runs an admission plugin, and which command-line item says so. */
export function admissionPlugin(f: ComponentFlags, plugin: string): PluginState {
  // --admission-control (deprecated) replaces the default list instead of adding to it.
  const legacy = f.list('admission-control');
  if (f.has('admission-control')) {
    const item = legacy.find((i) => i.value === plugin);
    return item ? { enabled: true, how: 'listed', item } : { enabled: false, how: 'absent' };
  }
  const disabled = f.list('disable-admission-plugins').find((i) => i.value === plugin);
  const enabled = f.list('enable-admission-plugins').find((i) => i.value === plugin);
  // The API server refuses to start when a plugin is in both lists; disabling is the safe reading.
  if (disabled) return { enabled: false, how: 'disabled', item: disabled };
  if (enabled) return { enabled: true, how: 'listed', item: enabled };
  return DEFAULT_ENABLED.has(plugin) ? { enabled: true, how: 'default' } : { enabled: false, how: 'absent' };
}

/** Where a plugin that should be enabled is reported: the list that would name it, or the command. */
export function pluginListPath(f: ComponentFlags) {
  return (f.get('admission-control') ?? f.get('enable-admission-plugins'))?.valuePath ?? f.listPath;
}

/**
 * Reports a plugin that should run but does not: `disabled` at the --disable-admission-plugins
 * item that turns it off, `notEnabled` at the list that should name it.
 */
export function requirePlugin(ctx: ControlContext, f: ComponentFlags, plugin: string): void {
  const s = admissionPlugin(f, plugin);
  if (s.enabled) return;
  if (s.how === 'disabled') ctx.report({ messageId: 'disabled', data: { container: f.name, plugin }, path: s.item.path, evidence: s.item.flag.value });
  else ctx.report({ messageId: 'notEnabled', data: { container: f.name, plugin }, path: pluginListPath(f) });
}
