import type { Control } from '../../core/control.js';
import webhookFailOpen from './pal-adm-001-webhook-fail-open.js';
import webhookTimeout from './pal-adm-002-webhook-timeout.js';
import webhookSelectorEscape from './pal-adm-003-webhook-selector-escape.js';
import webhookClientTls from './pal-adm-004-webhook-client-tls.js';
import namespacePodSecurityEnforce from './pal-adm-005-namespace-pod-security-enforce.js';
import namespacePodSecurityModes from './pal-adm-006-namespace-pod-security-modes.js';

/** Admission configuration: webhook configurations, APIServices and Pod Security Admission labels. */
export const admissionControls: Control[] = [
  webhookFailOpen,
  webhookTimeout,
  webhookSelectorEscape,
  webhookClientTls,
  namespacePodSecurityEnforce,
  namespacePodSecurityModes,
];
