/**
 * The evidence store's contract: what `serve`, `report`, ingestion and the dashboard may ask
 * of persistence. One implementation over two SQL dialects (SQLite by default, PostgreSQL by
 * URL) with one schema and one migration set; see store.ts.
 *
 * Findings are stored once per fingerprint with open/closed intervals, not once per scan:
 * a cluster of 50,000 resources scanned every few minutes would otherwise write millions of
 * identical rows a day. What was open at scan N is every interval with
 * opened_scan <= N < closed_scan (closed_scan null = still open).
 */
import type { ControlRun } from '../engine/engine.js';
import type { ScanResult } from '../engine/scan-result.js';
import type { Finding } from '../core/finding.js';
import type { RiskException } from '../core/exception.js';
import type { FrameworkStatus, RequirementStatus } from '../frameworks/scoring.js';
import type { DetectionRecord } from '../detect/correlate/record.js';

export type Role = 'viewer' | 'auditor' | 'admin';
/** viewer < auditor < admin: a role may do everything the roles before it may. */
export const ROLES: readonly Role[] = ['viewer', 'auditor', 'admin'];

/** Where a scan's results came from. */
export type ScanSource = 'cluster' | 'ci' | 'manifests';

export interface StoredScan {
  id: number;
  cluster: string;
  source: ScanSource;
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  resources: number;
  /** Open findings at this scan by status. */
  failed: number;
  excepted: number;
  /** Findings first seen / resolved by this scan. */
  opened: number;
  resolved: number;
  /** Framework id → score (null when nothing was evaluated). */
  scores: Record<string, number | null>;
}

/** A finding as the store keeps it: the latest observation plus its history. */
export interface StoredFinding extends Finding {
  cluster: string;
  /** ISO 8601 times and scan ids of the first and latest observation. */
  firstSeen: string;
  lastSeen: string;
  firstScanId: number;
  lastScanId: number;
  /** Set when the latest scan of its cluster no longer reports it. */
  resolvedAt?: string;
  resolvedScanId?: number;
}

export interface FindingQuery {
  cluster?: string;
  /** Findings open at this scan; default: the latest scan of each cluster. */
  scanId?: number;
  state?: 'open' | 'resolved' | 'all';
  controlId?: string;
  severity?: string;
  namespace?: string;
  kind?: string;
  /** Findings of the controls mapped to this framework (and requirement). */
  framework?: string;
  requirement?: string;
  /** Substring of resource name or message. */
  text?: string;
  limit?: number;
  /** Opaque cursor from the previous page. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Present when there are more items. */
  next?: string;
  total?: number;
}

/** One point of a framework's trend: its score and requirement counts at one scan. */
export interface FrameworkSnapshot {
  scanId: number;
  cluster: string;
  startedAt: string;
  framework: string;
  score: number | null;
  counts: Record<RequirementStatus, number>;
}

export type ExceptionState = 'requested' | 'approved' | 'rejected' | 'revoked' | 'expired';

/** An exception governed through the store (file exceptions are loaded per scan, not here). */
export interface StoredException extends RiskException {
  state: ExceptionState;
  requestedBy: string;
  /** The person (principal) the requesting token acts for; they may not approve it. */
  requestedPrincipal: string;
  requestedAt: string;
  decidedBy?: string;
  decidedAt?: string;
}

/** One append-only entry of the exception audit trail. */
export interface ExceptionEvent {
  id: number;
  exceptionId: string;
  /** requested | approved | rejected | revoked | expired */
  action: string;
  actor: string;
  /** The principal the actor's token acts for (absent for entries older than principals, and for the system). */
  principal?: string;
  at: string;
  comment?: string;
}

export interface StoredAdmissionDecision {
  at: string;
  cluster: string;
  uid: string;
  operation: string;
  kind: string;
  namespace?: string;
  name?: string;
  user?: string;
  allowed: boolean;
  dryRun: boolean;
  controls: string[];
}

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  /** The person the token acts for: separation of duties compares principals, not tokens. */
  principal: string;
  /** Id of the token that made this one (absent: the first token, or made with `palisade serve token create`). */
  createdBy?: string;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

export interface RetentionPolicy {
  /** Scans (with their snapshots) older than this many days are deleted; 0 keeps all. */
  scansDays: number;
  /** Findings resolved more than this many days ago are deleted; 0 keeps all. */
  resolvedFindingsDays: number;
  alertsDays: number;
  admissionDays: number;
}

export interface RecordScanOutcome {
  scanId: number;
  opened: number;
  resolved: number;
  stillOpen: number;
}

export interface Store {
  /** sqlite or postgres. */
  readonly dialect: 'sqlite' | 'postgres';
  /** Applies pending migrations; idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /**
   * Records a scan of a whole cluster (or CI run): opens intervals for new fingerprints,
   * extends the ones still reported, closes those no longer reported, snapshots framework
   * status and control runs. One transaction.
   */
  recordScan(cluster: string, source: ScanSource, result: ScanResult): Promise<RecordScanOutcome>;
  listScans(opts?: { cluster?: string; limit?: number; before?: number }): Promise<StoredScan[]>;
  getScan(id: number): Promise<StoredScan | undefined>;
  /** Rebuilds the ScanResult of a stored scan (findings open at it, runs, framework status) for reports. */
  scanResult(id: number): Promise<ScanResult | undefined>;
  controlRuns(scanId: number): Promise<ControlRun[]>;
  /** Framework status (with requirements) at a stored scan, without rebuilding its findings; one framework or all. */
  frameworkStatuses(scanId: number, framework?: string): Promise<FrameworkStatus[]>;

  findings(q: FindingQuery): Promise<Page<StoredFinding>>;
  finding(fingerprint: string, cluster?: string): Promise<StoredFinding | undefined>;
  frameworkTrend(framework: string, opts?: { cluster?: string; limit?: number }): Promise<FrameworkSnapshot[]>;
  listClusters(): Promise<Array<{ name: string; lastScanId?: number; lastScanAt?: string }>>;

  /** `id` is generated (EXC-YYYYMMDD-xxxxxxxx) when absent or empty; an existing id is PALISADE_STORE_CONFLICT. */
  /** `requestedPrincipal` defaults to `requestedBy`. */
  requestException(
    e: Omit<StoredException, 'id' | 'state' | 'requestedAt' | 'decidedBy' | 'decidedAt' | 'approvedBy' | 'requestedPrincipal'> & { id?: string; approvedBy?: string; requestedPrincipal?: string },
  ): Promise<StoredException>;
  /** `principal`, the person the actor acts for, is recorded in the trail with the actor. */
  decideException(id: string, decision: 'approved' | 'rejected' | 'revoked', actor: string, comment?: string, principal?: string): Promise<StoredException>;
  /** Marks approved exceptions past their expiry as expired (recording the event); returns how many. */
  expireExceptions(today: string): Promise<number>;
  listExceptions(opts?: { state?: ExceptionState }): Promise<StoredException[]>;
  exceptionEvents(exceptionId?: string): Promise<ExceptionEvent[]>;

  recordAlerts(cluster: string, alerts: readonly DetectionRecord[]): Promise<number>;
  alerts(opts?: { cluster?: string; since?: string; incidentsOnly?: boolean; limit?: number; cursor?: string }): Promise<Page<DetectionRecord & { id: number; cluster: string }>>;
  recordAdmissionDecisions(decisions: readonly StoredAdmissionDecision[]): Promise<number>;

  /**
   * Creates a token; the secret is returned once and stored only as a SHA-256 hash. It acts for
   * `principal` (default: its own name); `createdBy` is the id of the token that made it.
   */
  createToken(name: string, role: Role, opts?: { principal?: string; createdBy?: string }): Promise<{ token: ApiToken; secret: string }>;
  /** The token for a presented secret, or undefined (unknown or revoked). Updates lastUsedAt. */
  authenticate(secret: string): Promise<ApiToken | undefined>;
  listTokens(): Promise<ApiToken[]>;
  revokeToken(id: string): Promise<boolean>;
  countTokens(): Promise<number>;
  /** Creates a token only while the store has no unrevoked one, atomically: servers starting at once on an empty store make one between them. */
  createFirstToken(name: string, role: Role): Promise<{ token: ApiToken; secret: string } | undefined>;

  applyRetention(policy: RetentionPolicy, now?: Date): Promise<{ scans: number; findings: number; alerts: number; admission: number }>;
  /** Bytes on disk (SQLite file) or pg_database_size. */
  sizeBytes(): Promise<number>;
}
