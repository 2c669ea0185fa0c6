// The one way the dashboard talks to the server: the Bearer token from sessionStorage
// (gone when the tab closes), JSON in and out, coded errors turned into ApiError.

const TOKEN_KEY = 'palisade.token';
const BASE = '/api/v1';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

let onUnauthenticated = () => {};
/** Called on any 401 outside sign-in: the app forgets the token and goes back to sign-in. */
export function setUnauthenticatedHandler(fn) {
  onUnauthenticated = fn;
}

let inFlight = 0;
/** `data-busy` on <html> while requests are in flight: a hook for automation and tests to wait on. */
function busy(delta) {
  inFlight += delta;
  if (inFlight > 0) document.documentElement.setAttribute('data-busy', String(inFlight));
  else document.documentElement.removeAttribute('data-busy');
}

/** Query string from an object, dropping empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * fetch against /api/v1. opts: method, body (sent as JSON), raw (return the Response for
 * downloads), signIn (a 401 is the caller's to report, not a session expiry).
 */
export async function api(path, opts = {}) {
  // Busy until the body is read: callers render in the microtasks right after, before the flag can be seen clear.
  busy(+1);
  try {
    return await request(path, opts);
  } finally {
    busy(-1);
  }
}

async function request(path, opts) {
  const headers = { Accept: 'application/json' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let body;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res;
  try {
    res = await fetch(BASE + path, { method: opts.method ?? 'GET', headers, body, cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server could not be reached.');
  }
  if (!res.ok) {
    let code = `HTTP_${res.status}`;
    let message = res.statusText || `HTTP ${res.status}`;
    try {
      const j = await res.json();
      if (j && j.error) {
        code = String(j.error.code ?? code);
        message = String(j.error.message ?? message);
      }
    } catch {
      // Not JSON: keep the status line.
    }
    const err = new ApiError(res.status, code, message);
    if (res.status === 401 && !opts.signIn) onUnauthenticated(err);
    throw err;
  }
  if (opts.raw) return res;
  if (res.status === 204) return undefined;
  return res.json();
}

/** What to tell a person about a failed call. */
export function describeError(err) {
  if (err instanceof ApiError) {
    if (err.status === 401) return 'Your token was not accepted. Sign in again.';
    // Other refusals (an approval by the requester's own principal) say why themselves.
    if (err.status === 403 && err.code === 'PALISADE_API_FORBIDDEN') return `Your role can't do this. (${err.message})`;
    if (err.status === 0) return err.message;
    return `${err.message} (${err.code})`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Downloads a response body as a file without exposing the token in a URL. */
export async function download(path, filename) {
  const res = await api(path, { raw: true });
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
