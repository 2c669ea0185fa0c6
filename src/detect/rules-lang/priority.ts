/** Falco priorities, most severe first, with the spelling Falco prints in alerts. */
export const PRIORITIES = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'] as const;
export type Priority = (typeof PRIORITIES)[number];

const ALIASES: Record<string, Priority> = {
  emergency: 'Emergency',
  alert: 'Alert',
  critical: 'Critical',
  error: 'Error',
  warning: 'Warning',
  notice: 'Notice',
  informational: 'Informational',
  info: 'Informational',
  debug: 'Debug',
};

/** Case-insensitive, accepting INFO for Informational as Falco does. */
export function parsePriority(s: unknown): Priority | undefined {
  return typeof s === 'string' ? ALIASES[s.toLowerCase()] : undefined;
}

/** 0 for Emergency … 7 for Debug. */
export function priorityRank(p: Priority): number {
  return PRIORITIES.indexOf(p);
}

/** True when `p` is as severe as `threshold` or more. */
export function atLeastPriority(p: Priority, threshold: Priority): boolean {
  return priorityRank(p) <= priorityRank(threshold);
}
