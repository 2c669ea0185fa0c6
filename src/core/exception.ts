/** Who accepted which risk, for which controls and resources, why, until when, approved by whom. */
export interface RiskException {
  id: string;
  /** Control ids; "*" for every control. */
  controls: string[];
  /** Any selector matching is enough; within one selector every given field must match. */
  resources: ResourceSelector[];
  justification: string;
  owner: string;
  approvedBy: string;
  /** YYYY-MM-DD; the exception applies up to and including this day (UTC). */
  expires: string;
  /** Where it was declared, for reports. */
  source?: { file: string; line: number };
}

export interface ResourceSelector {
  kind?: string;
  /** Glob with * and ?. */
  namespace?: string;
  /** Glob with * and ?. */
  name?: string;
  labels?: Record<string, string>;
}

/** Annotation by which a resource opts out of one control; its value must state the reason. */
export const OPT_OUT_ANNOTATION_PREFIX = 'exempt.palisade.dev/';
