/**
 * Bearer-token authentication and role checks. The store keeps only a SHA-256 hash of each
 * secret and looks the presented secret up by its hash, so the comparison never runs over
 * the secret itself (no timing signal about how much of a guess was right); the format
 * check here is on length and alphabet only. Secrets are never logged: callers log the
 * token's name.
 */
import type { IncomingMessage } from 'node:http';
import { ROLES, type ApiToken, type Role, type Store } from '../store/types.js';
import { apiError, type ApiError } from './http.js';

/** viewer < auditor < admin. */
export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** Principals name people: "Alice" and "alice " are one person. */
export function samePrincipal(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

const BEARER = /^Bearer[ \t]+([\x21-\x7e]{1,512})[ \t]*$/i;

function unauthenticated(detail: string, error?: 'invalid_token'): ApiError {
  return apiError(401, 'PALISADE_API_UNAUTHENTICATED', { detail }, { headers: { 'www-authenticate': `Bearer realm="palisade"${error ? `, error="${error}"` : ''}` } });
}

/** The token presented with the request, or an ApiError 401 / 403. */
export async function authorize(req: IncomingMessage, store: Store, needed: Role): Promise<ApiToken> {
  const header = req.headers.authorization;
  if (header === undefined || header === '') throw unauthenticated('a bearer token is required (Authorization: Bearer …)');
  const m = BEARER.exec(header);
  if (!m) throw unauthenticated('the Authorization header is not "Bearer <token>"', 'invalid_token');
  const token = await store.authenticate(m[1]!);
  if (!token) throw unauthenticated('the bearer token is not valid (unknown or revoked)', 'invalid_token');
  if (!roleAllows(token.role, needed)) {
    throw apiError(403, 'PALISADE_API_FORBIDDEN', { detail: `token "${token.name}" has role ${token.role}; this needs ${needed} or higher` });
  }
  return token;
}
