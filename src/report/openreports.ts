import type { Formatter } from './formatter.js';
import { OPEN_REPORTS, renderReports } from './policyreport.js';

/**
 * OpenReports (openreports.io/v1alpha1), the successor of the wg-policy PolicyReport API:
 * the same result fields (policy, rule, result, severity, category, message, resources,
 * scored, timestamp, properties), kinds Report and ClusterReport, and `source` on the report.
 */
export const openReportsFormatter: Formatter = {
  name: 'openreports',
  description: 'openreports.io/v1alpha1 Report per namespace and a ClusterReport (multi-document YAML).',
  extension: 'yaml',
  render(result) {
    return renderReports(result, OPEN_REPORTS);
  },
};
