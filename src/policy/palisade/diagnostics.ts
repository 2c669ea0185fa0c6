/** Error codes of policy files, policy test suites and CEL expressions (texts in src/core/errors.ts). */
import { diagnostic, type Diagnostic } from '../../core/errors.js';

export type PolicyErrorCode =
  | 'PALISADE_POLICY_INVALID'
  | 'PALISADE_POLICY_DUPLICATE_ID'
  | 'PALISADE_POLICY_UNBOUND'
  | 'PALISADE_POLICY_NO_SUCH_POLICY'
  | 'PALISADE_POLICY_NONE'
  | 'PALISADE_TEST_INVALID'
  | 'PALISADE_TEST_NO_SUITES'
  | 'PALISADE_CEL_SYNTAX'
  | 'PALISADE_CEL_TYPE'
  | 'PALISADE_CEL_RUNTIME'
  | 'PALISADE_CEL_COST_EXCEEDED'
  | 'PALISADE_CEL_TOO_LONG';

export function policyDiagnostic(
  code: PolicyErrorCode,
  data: Record<string, string | number>,
  where: Omit<Diagnostic, 'code' | 'message' | 'level'> & { level?: Diagnostic['level'] } = {},
): Diagnostic {
  return diagnostic(code, data, where);
}
