/**
 * The listener limits every HTTPS command shares (`serve`, `admission serve`): a connection
 * cap, a TLS handshake timeout and an idle timeout (src/server/https.ts, listenHttps).
 */
import type { OptionSpec } from './command.js';
import { diagnostic, PalisadeError } from '../core/errors.js';
import { parseDuration } from '../detect/correlate/duration.js';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from '../server/https.js';

/** The options; `metric` is the counter refused connections are counted in. */
export function connectionOptions(metric: string): OptionSpec[] {
  return [
    { name: 'max-connections', type: 'string', valueName: 'COUNT', description: `Connections open at once (TLS handshakes included); beyond it new ones are closed as they arrive and counted in ${metric}. Default: 1024.` },
    { name: 'handshake-timeout', type: 'string', valueName: 'DURATION', description: 'A connection that has not finished its TLS handshake by then is closed (a client that connects and sends nothing). Default: 10s.' },
    { name: 'idle-timeout', type: 'string', valueName: 'DURATION', description: 'A connection with no traffic either way for this long is closed: a client that stalls while sending, or stops reading its answer (the answer is dropped). A slow reader whose bytes keep moving, and the server working on an answer, do not count. Default: 60s.' },
  ];
}

const usage = (detail: string, field: string) => new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail }, { field }));

/** A whole-number option (at least `min`), or `fallback` when absent; a bad value is a usage error naming the option. */
export function wholeNumberOption(v: unknown, option: string, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || n < min) throw usage(`--${option}: expected a whole number ≥ ${min}, got "${String(v)}"`, `--${option}`);
  return n;
}

/** A duration option (30s, 5m, 1h) in milliseconds, or `fallback` when absent. */
export function durationOption(v: unknown, option: string, fallback: number): number {
  if (v === undefined) return fallback;
  const ms = parseDuration(v);
  if (ms === undefined) throw usage(`--${option}: expected a duration such as 30s, 5m or 1h, got "${String(v)}"`, `--${option}`);
  return ms;
}

/** The limits the options ask for, defaults for the others. */
export function connectionLimitsFrom(v: Readonly<Record<string, unknown>>): ConnectionLimits {
  return {
    maxConnections: wholeNumberOption(v['max-connections'], 'max-connections', DEFAULT_CONNECTION_LIMITS.maxConnections, 1),
    handshakeTimeoutMs: durationOption(v['handshake-timeout'], 'handshake-timeout', DEFAULT_CONNECTION_LIMITS.handshakeTimeoutMs),
    idleTimeoutMs: durationOption(v['idle-timeout'], 'idle-timeout', DEFAULT_CONNECTION_LIMITS.idleTimeoutMs),
  };
}
