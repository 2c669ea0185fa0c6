/**
 * Prometheus metrics of `palisade serve`. Request series are labelled by route template
 * (`/api/v1/scans/{id}`), never by the raw path, so a client walking ids cannot grow the
 * series without bound.
 */
import { Counter, Histogram } from '../admission/metrics.js';

export class ServerMetrics {
  readonly requests = new Counter('palisade_server_http_requests_total', 'HTTP requests answered, by method, route template and status code.');
  readonly latency = new Histogram('palisade_server_http_request_duration_seconds', 'Time from receiving a request to the end of its answer, by route template.', [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);
  readonly inFlight = new Counter('palisade_server_http_in_flight_requests', 'Requests received and not yet answered.', 'gauge');
  readonly scansIngested = new Counter('palisade_server_scans_recorded_total', 'Scans recorded in the store, by cluster and source (ci, cluster, manifests).');
  readonly findingsOpen = new Counter('palisade_server_findings_open', 'Failing findings open at the latest recorded scan, by cluster and severity.', 'gauge');
  readonly alertsIngested = new Counter('palisade_server_alerts_recorded_total', 'Alerts and incidents recorded from audit events, by cluster.');
  readonly storeErrors = new Counter('palisade_server_store_errors_total', 'Store operations that failed (not counting not-found and conflicts), by operation.');
  readonly authFailures = new Counter('palisade_server_auth_failures_total', 'Requests refused by authentication or authorisation, by status (401, 403).');
  readonly clusterScans = new Counter('palisade_server_cluster_scans_total', 'Scans of watched clusters, by cluster and result (ok, error).');
  readonly lastClusterScan = new Counter('palisade_server_cluster_last_scan_timestamp_seconds', 'When each watched cluster was last scanned successfully (Unix time).', 'gauge');
  readonly connectionsRefused = new Counter('palisade_server_connections_refused_total', 'Connections closed as they arrived because --max-connections were open.');
  readonly connectionsTimedOut = new Counter('palisade_server_connections_timed_out_total', 'Connections closed after --idle-timeout without traffic (a stalled client, or one that stopped reading).');
  readonly storeBytes = new Counter('palisade_server_store_bytes', 'Size of the store (SQLite file or PostgreSQL database).', 'gauge');

  render(): string {
    const out: string[] = [];
    for (const m of [this.requests, this.latency, this.inFlight, this.scansIngested, this.findingsOpen, this.alertsIngested, this.storeErrors, this.authFailures, this.clusterScans, this.lastClusterScan, this.connectionsRefused, this.connectionsTimedOut, this.storeBytes]) m.render(out);
    return out.join('\n') + '\n';
  }
}
