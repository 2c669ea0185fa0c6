/**
 * The catalogue of user-facing errors. Every problem with input or usage has a code
 * PALISADE_<AREA>_<WHAT>, a message template and an exit code; none prints a stack trace.
 * Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage error or unreadable input,
 * 3 internal error (a bug: the only case that prints a stack trace, with PALISADE_DEBUG=1).
 */
export const EXIT = { ok: 0, findings: 1, input: 2, internal: 3 } as const;

export const ERRORS = {
  PALISADE_SOURCE_NOT_FOUND: 'path does not exist',
  PALISADE_SOURCE_UNREADABLE: 'cannot read: {{reason}}',
  PALISADE_SOURCE_BINARY: 'binary file (contains NUL bytes); expected YAML or JSON text',
  PALISADE_SOURCE_TOO_LARGE: 'file is {{size}} bytes, over the limit of {{limit}} bytes (--max-file-size)',
  PALISADE_SOURCE_ENCODING: 'not valid UTF-8 text',
  PALISADE_SOURCE_YAML_SYNTAX: 'YAML syntax error: {{detail}}',
  PALISADE_SOURCE_JSON_SYNTAX: 'JSON syntax error: {{detail}}',
  PALISADE_SOURCE_DUPLICATE_KEY: 'duplicate key {{key}}: a mapping must not repeat a key',
  PALISADE_SOURCE_ALIAS_LIMIT: 'too many YAML alias expansions (limit {{limit}}); possible alias bomb',
  PALISADE_SOURCE_TOO_DEEP: 'nesting deeper than {{limit}} levels',
  PALISADE_SOURCE_TOO_MANY_DOCS: 'more than {{limit}} documents in one file',
  PALISADE_SOURCE_BAD_OBJECT: '{{field}}: expected {{expected}}, found {{found}}',
  PALISADE_SOURCE_NOT_K8S: 'document is not a Kubernetes object (no apiVersion and kind); skipped',
  PALISADE_SOURCE_RENDERER_MISSING: '{{what}} needs `{{program}}`, which is not installed or not on PATH',
  PALISADE_SOURCE_RENDER_FAILED: '`{{program}}` failed: {{detail}}',
  PALISADE_CONFIG_INVALID: '{{field}}: {{detail}}',
  PALISADE_CONFIG_SYNTAX: 'YAML syntax error: {{detail}}',
  PALISADE_CLI_USAGE: '{{detail}}',
  PALISADE_CLI_UNKNOWN_OPTION: 'unknown option {{option}}',
  PALISADE_CLI_UNKNOWN_COMMAND: 'unknown command {{command}}',
  PALISADE_OUTPUT_WRITE: 'cannot write {{file}}: {{reason}}',
  PALISADE_REPORT_PDF_UNAVAILABLE: 'cannot render PDF: {{reason}} (install Chromium, e.g. apt-get install chromium, or set PALISADE_CHROMIUM to its path)',
  PALISADE_REPORT_BINARY_STDOUT: '{{format}} is binary and is not written to a terminal; give --output FILE (or FORMAT=FILE)',
  PALISADE_REPORT_SIGN_KEY: 'signing key {{file}}: {{detail}}',
  PALISADE_REPORT_BUNDLE_INVALID: 'evidence bundle {{bundle}}: {{detail}}',
  PALISADE_EXCEPTION_INVALID: '{{field}}: {{detail}}',
  PALISADE_EXCEPTION_EXPIRED: 'exception {{id}} expired on {{expires}} (owner {{owner}}); it no longer applies',
  PALISADE_EXCEPTION_UNUSED: 'exception {{id}} matched no finding; remove it or fix its selector',
  PALISADE_EXCEPTION_NO_REASON: 'annotation {{annotation}} opts out of a control without a reason; it is ignored (write the reason as its value)',
  PALISADE_POLICY_INVALID: '{{field}}: {{detail}}',
  PALISADE_POLICY_DUPLICATE_ID: 'control id {{id}} is already defined ({{other}}); this definition is ignored',
  PALISADE_POLICY_UNBOUND: 'ValidatingAdmissionPolicy {{policy}} has no ValidatingAdmissionPolicyBinding; it is loaded but checks nothing',
  PALISADE_POLICY_NO_SUCH_POLICY: 'ValidatingAdmissionPolicyBinding {{binding}} binds policy {{policy}}, which is not loaded; the binding is ignored',
  PALISADE_POLICY_NONE: 'no policies found in {{path}}',
  PALISADE_TEST_INVALID: '{{field}}: {{detail}}',
  PALISADE_TEST_NO_SUITES: 'no test suites (PolicyTest documents or kyverno-test.yaml files) found in {{path}}',
  PALISADE_CEL_SYNTAX: 'CEL syntax error: {{detail}}',
  PALISADE_CEL_TYPE: 'CEL type error: {{detail}}',
  PALISADE_CEL_RUNTIME: 'CEL evaluation error: {{detail}}',
  PALISADE_CEL_COST_EXCEEDED: 'CEL expression exceeded its cost budget of {{budget}} and was stopped: {{expression}}',
  PALISADE_CEL_TOO_LONG: 'CEL expression is too large: {{detail}}',
  PALISADE_ENGINE_CONTROL_FAILED: 'control {{control}} failed on this object ({{detail}}); its result for it is missing',
  PALISADE_ADMISSION_MALFORMED_REVIEW: 'malformed AdmissionReview: {{detail}}',
  PALISADE_ADMISSION_UNSUPPORTED_VERSION: 'unsupported AdmissionReview {{found}}; this webhook speaks admission.k8s.io/v1 (set admissionReviewVersions: [v1])',
  PALISADE_ADMISSION_BODY_TOO_LARGE: 'request body is larger than {{limit}} bytes (--max-body)',
  PALISADE_ADMISSION_TLS: 'cannot load the TLS certificate or key {{file}}: {{reason}}',
  PALISADE_ADMISSION_CONFIG_INVALID: '{{field}}: {{detail}}',
  PALISADE_ADMISSION_LISTEN: 'cannot listen on {{address}}: {{reason}}',
  PALISADE_ADMISSION_REGISTRY: 'cannot resolve {{image}} to a digest: {{reason}}',
  PALISADE_ADMISSION_OVERLOADED: 'the webhook is overloaded ({{inFlight}} reviews in flight, limit {{limit}}); answered without judging (--overload {{mode}})',
  PALISADE_ADMISSION_CERT_GENERATION: 'cannot generate certificates in {{dir}}: {{reason}}',
  PALISADE_RULES_YAML: 'rules file: {{detail}}',
  PALISADE_RULES_INVALID_ITEM: '{{detail}}',
  PALISADE_RULES_SYNTAX: 'condition syntax error: {{detail}}',
  PALISADE_RULES_UNKNOWN_FIELD: 'unknown field {{field}} for source {{source}}',
  PALISADE_RULES_UNKNOWN_MACRO: 'undefined macro or identifier {{name}} (not a macro, and no operator follows)',
  PALISADE_RULES_BAD_VALUE: '{{detail}}',
  PALISADE_RULES_NO_PREVIOUS: '{{kind}} {{name}} has {{how}} but no earlier definition to apply it to',
  PALISADE_RULES_ENGINE_VERSION: 'rules need engine version {{required}}; this engine is {{current}}',
  PALISADE_RULES_SKIPPED: '{{detail}}',
  PALISADE_DETECT_BAD_EVENT: 'line {{line}}: {{detail}}; skipped',
  PALISADE_DETECT_LINE_TOO_LONG: 'line {{line}} is longer than {{limit}} bytes; skipped',
  PALISADE_DETECT_INPUT: 'cannot read audit log: {{reason}}',
  PALISADE_DETECT_SUPPRESSED: 'rule {{rule}}: {{count}} alerts suppressed ({{why}})',
  PALISADE_AUDIT_MALFORMED_BATCH: 'malformed audit batch: {{detail}}',
  PALISADE_AUDIT_BODY_TOO_LARGE: 'audit batch is larger than {{limit}} bytes (--max-body)',
  PALISADE_AUDIT_UNAUTHENTICATED: '{{detail}}',
  PALISADE_AUDIT_QUEUE_FULL: '{{pending}} audit events are waiting to be processed (limit {{limit}}, --queue-size); retry after {{retryAfter}}s',
  PALISADE_AUDIT_SPOOL_FULL: 'the spool is over its disk budget ({{detail}}); retry after {{retryAfter}}s',
  PALISADE_AUDIT_SPOOL: 'cannot use the spool directory {{dir}}: {{reason}}',
  PALISADE_AUDIT_TOKEN_FILE: 'cannot read the token file {{file}}: {{reason}}',
  PALISADE_DETECT_SEQUENCE_INVALID: 'sequences file: {{field}}: {{detail}}',
  PALISADE_DETECT_SEQUENCE_UNKNOWN_RULE: 'sequence {{sequence}}, stage {{stage}}: no loaded rule is named {{rule}}; the stage can still match by tags and events',
  PALISADE_DETECT_BASELINE_INVALID: 'baseline file: {{detail}}',
  PALISADE_DETECT_CORRELATION_EVICTED: '{{count}} correlation state(s) evicted at the cap of {{cap}} entities; raise --max-entities if incidents are missed',
  PALISADE_DETECT_WEBHOOK_UNDELIVERED: '{{count}} alert(s) not delivered to webhook {{endpoint}} ({{detail}})',
  PALISADE_DETECT_BASELINE_LEARNING: '{{file}} does not exist yet: this run learns the baseline and raises no anomaly alerts (give --learn-for to learn and detect in one run)',
  PALISADE_API_UNAUTHENTICATED: '{{detail}}',
  PALISADE_API_FORBIDDEN: '{{detail}}',
  PALISADE_API_SELF_APPROVAL: 'exception {{id}} was requested by {{requester}}, acting for {{principal}}; token {{approver}} acts for the same principal. Segregation of duties: an admin acting for another principal must approve it',
  PALISADE_API_NOT_FOUND: '{{detail}}',
  PALISADE_API_METHOD_NOT_ALLOWED: '{{method}} is not allowed on {{path}}; allowed: {{allowed}}',
  PALISADE_API_BAD_REQUEST: '{{field}}: {{detail}}',
  PALISADE_API_BODY_TOO_LARGE: 'request body is larger than {{limit}} bytes ({{option}})',
  PALISADE_API_UNSUPPORTED_MEDIA_TYPE: 'expected Content-Type: {{expected}}',
  PALISADE_API_MALFORMED_REPORT: 'not a Palisade JSON report (palisade scan --format json): {{field}}: {{detail}}',
  PALISADE_API_CONFLICT: '{{detail}}',
  PALISADE_API_UNAVAILABLE: '{{detail}}',
  PALISADE_API_STORE_UNAVAILABLE: 'the evidence store does not answer ({{reason}}); retry in a few seconds',
  PALISADE_API_INTERNAL: 'internal error answering {{route}}; see the server log',
  PALISADE_STORE_URL: 'store URL {{url}}: {{detail}} (expected sqlite:PATH, sqlite::memory:, a file path, or postgres://…)',
  PALISADE_STORE_OPEN: 'cannot open the store {{url}}: {{reason}}',
  PALISADE_STORE_MIGRATION: 'store migration {{id}} failed: {{reason}}',
  PALISADE_STORE_SCHEMA_NEWER: 'the database has migration {{id}}, which this version of palisade does not know; upgrade palisade or use another database',
  PALISADE_STORE_NOT_FOUND: '{{what}} {{id}} does not exist',
  PALISADE_STORE_CONFLICT: '{{what}} {{id}} already exists',
  PALISADE_STORE_EXCEPTION_STATE: 'exception {{id}} is {{state}}; it cannot be {{action}}',
  PALISADE_STORE_QUERY: '{{field}}: {{detail}}',
  PALISADE_CLUSTER_CONFIG: 'kubeconfig: {{detail}}',
  PALISADE_CLUSTER_UNREACHABLE: 'cannot read from the API server {{server}}: {{reason}}',
  PALISADE_CLUSTER_UNAUTHORIZED: 'the API server {{server}} did not accept the credentials of context {{context}} (401 Unauthorized); check the kubeconfig user or token',
  PALISADE_CLUSTER_FORBIDDEN: 'cannot list {{resource}} ({{apiVersion}}): forbidden (403); incomplete, so never counted as passed: {{controls}}. Grant list and watch on it (docs/cluster.md)',
  PALISADE_CLUSTER_UNAVAILABLE: 'cannot list {{resource}} ({{apiVersion}}): {{reason}}; incomplete, so never counted as passed: {{controls}}',
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** A problem with input, located as precisely as it can be. */
export interface Diagnostic {
  code: ErrorCode;
  level: 'error' | 'warning' | 'note';
  message: string;
  file?: string;
  line?: number;
  column?: number;
  /** JSON path or option name the problem is about. */
  field?: string;
}

export function diagnostic(
  code: ErrorCode,
  data: Record<string, string | number> = {},
  where: Omit<Diagnostic, 'code' | 'message' | 'level'> & { level?: Diagnostic['level'] } = {},
): Diagnostic {
  const message = ERRORS[code].replace(/\{\{(\w+)\}\}/g, (_, k: string) => (k in data ? String(data[k]) : `{{${k}}}`));
  const { level = 'error', ...rest } = where;
  return { code, level, message, ...rest };
}

/** "file:line:column: error: message [CODE]" */
export function formatDiagnostic(d: Diagnostic): string {
  let loc = d.file ?? '';
  if (d.file && d.line) loc += `:${d.line}` + (d.column ? `:${d.column}` : '');
  return `${loc ? loc + ': ' : ''}${d.level}: ${d.message}${d.field && !d.message.includes(d.field) ? ` (field ${d.field})` : ''} [${d.code}]`;
}

/** An error that stops one command: usage errors, unreadable configuration. */
export class PalisadeError extends Error {
  constructor(
    readonly diagnostic: Diagnostic,
    readonly exitCode: number = EXIT.input,
    /** All problems when there are several (the first is `diagnostic`). */
    readonly diagnostics: Diagnostic[] = [diagnostic],
  ) {
    super(formatDiagnostic(diagnostic));
    this.name = 'PalisadeError';
  }
}
