import { defineControl } from '../../core/control.js';
import { perOptions } from '../control-options.js';
import { onComponent, reportMissing } from './flags.js';

/**
 * The suites the CIS benchmark accepts: TLS 1.3 suites and ECDHE key exchange (forward
 * secrecy) with AES or ChaCha20. Static RSA key exchange, 3DES, RC4 and the CBC-SHA256
 * variants are left out.
 */
const STRONG = [
  'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
];

const allowedSuites = perOptions((options): ReadonlySet<string> => new Set(Array.isArray(options.allowed) ? (options.allowed as string[]) : STRONG));

export default defineControl({
  meta: {
    id: 'PAL-CP-026',
    slug: 'apiserver-tls-cipher-suites',
    title: 'API server must offer strong TLS cipher suites only',
    severity: 'medium',
    category: 'control-plane',
    description:
      'Fails when kube-apiserver --tls-cipher-suites lists a suite outside the strong set (TLS 1.3 suites and ECDHE with AES or ChaCha20), ' +
      'and, unless the requireExplicit option is false, when the flag is absent. (CIS 1.2.29)',
    rationale:
      'Suites with static RSA key exchange give no forward secrecy: one stolen serving key decrypts every recorded session, bearer tokens included. ' +
      '3DES and RC4 are breakable outright. Listing the suites explicitly also keeps the set stable across Go releases, which change their defaults.',
    remediation:
      'Set --tls-cipher-suites to ECDHE suites with AES-GCM or ChaCha20-Poly1305 (TLS 1.3 suites are not configurable and always on), for example ' +
      'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384.',
    messages: {
      weak: 'kube-apiserver offers weak TLS cipher suites: {{suites}}',
      notSet: 'kube-apiserver does not set --tls-cipher-suites, so the Go runtime defaults apply',
    },
    appliesTo: ['kube-apiserver static pods and control-plane workloads'],
    references: [
      'CIS Kubernetes Benchmark v1.10/v1.11: 1.2.29',
      'https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/',
    ],
    mitre: ['T1557'],
    maturity: 'stable',
    optionsSchema: {
      type: 'object',
      properties: {
        requireExplicit: { type: 'boolean', default: true },
        allowed: { type: 'array', items: { type: 'string' }, description: 'Replaces the strong set.' },
      },
      additionalProperties: false,
    },
  },
  reusableVisitor: true,
  check(ctx) {
    const allowed = allowedSuites(ctx.options);
    const requireExplicit = ctx.options.requireExplicit !== false;
    return onComponent('kube-apiserver', (f) => {
      const occurrences = f.all('tls-cipher-suites');
      if (occurrences.length === 0) {
        if (requireExplicit) reportMissing(ctx, f, 'tls-cipher-suites', 'notSet');
        return;
      }
      // One finding per list item, naming every weak suite in it.
      for (const o of occurrences) {
        const weak = o.value.split(',').map((s) => s.trim()).filter((s) => s && !allowed.has(s));
        if (weak.length) ctx.report({ messageId: 'weak', data: { container: f.name, suites: weak.join(', ') }, path: o.valuePath, evidence: weak });
      }
    });
  },
});
