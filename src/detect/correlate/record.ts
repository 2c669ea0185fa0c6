/**
 * What `audit analyze` writes: rule alerts, anomaly alerts and incidents share Falco's
 * alert shape. alerts.ts types `palisade.incident` as always null because the detector
 * never knows it; correlation fills it in, and incidents and anomalies add their own keys.
 */
import type { Alert } from '../audit/alerts.js';

export interface TimelineEntry {
  time: string;
  /** The sequence stage this entry reached (the first it matched, when not on the chain). */
  stage: string;
  /** On the minimal ordered chain of stages that completed the incident. */
  chain: boolean;
  /** Alerts of this event that matched the stage; empty when the event itself matched. */
  rules: string[];
  /** MITRE ATT&CK ids: the alerts' own, or the stage's declared ids for a raw event. */
  mitre: string[];
  auditID: string | null;
  user: string | null;
  verb: string | null;
  resource: string | null;
  namespace: string | null;
  name: string | null;
}

export type DetectionRecord = Omit<Alert, 'palisade'> & {
  palisade: Omit<Alert['palisade'], 'incident'> & {
    incident: string | null;
    /** Incidents: the entity, stages reached in order, and the contributing events. */
    entity?: { kind: string; id: string };
    stages?: string[];
    timeline?: TimelineEntry[];
    /** Anomaly alerts: what was unusual and the baseline it was compared with. */
    anomaly?: { kind: string; value: string; probability: number; explanation: string };
  };
};
