// api.js — calls to MAGI's HTTP API. Adds the API key (kept in
// sessionStorage, never in a URL) or, for a signed-in user, the session's
// CSRF token on requests that change something; turns error responses
// into ApiError with a message a user can act on.
import { t } from './i18n.js';

const KEY = 'magi.key';
let csrf = '';

/** An error from the API: status, SPEC's error code and a readable message. */
export class ApiError extends Error {
  constructor(status, code, message, retryAfter = 0, fields = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
    // fields are every problem of a document sent: {field, message}.
    this.fields = fields;
  }
}

/** The stored API key, or ''. */
export function apiKey() {
  try { return sessionStorage.getItem(KEY) || ''; } catch { return ''; }
}

/** Stores (or with '' forgets) the API key for this tab. */
export function setApiKey(key) {
  try {
    if (key) sessionStorage.setItem(KEY, key); else sessionStorage.removeItem(KEY);
  } catch { /* storage may be off */ }
}

/** Keeps the signed-in session's CSRF token (from GET /auth/me), '' to forget it. */
export function setCSRF(token) { csrf = token || ''; }

/** Headers for an API request, with Authorization when a key is stored. */
export function authHeaders(extra = {}) {
  const h = { ...extra };
  const key = apiKey();
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

/** fetch() for the API; resolves to the Response when it is 2xx, else throws ApiError. */
export async function request(url, { method = 'GET', body, headers = {}, signal } = {}) {
  const init = { method, headers: authHeaders(headers), signal, credentials: 'same-origin' };
  if (csrf && method !== 'GET' && method !== 'HEAD') init.headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', t('err.network'));
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

/** JSON of a successful API call. */
export async function json(url, opts) {
  const res = await request(url, opts);
  return res.status === 204 ? null : res.json();
}

/** Reads SPEC's {"error": {code, message}} body into an ApiError. */
export async function errorOf(res) {
  let code = `http_${res.status}`;
  let message = `${res.status} ${res.statusText}`.trim();
  let fields = [];
  try {
    const body = await res.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
      fields = Array.isArray(body.error.fields) ? body.error.fields : [];
    }
  } catch { /* not JSON */ }
  const retryAfter = Number(res.headers.get('Retry-After')) || 0;
  if (res.status === 429) message = t('err.429', { s: retryAfter || 10 });
  // Without a key, the server's words are for API clients (a header to
  // send); the page says where to enter one. A refused key keeps the
  // server's reason (not valid, revoked).
  if (res.status === 401 && !apiKey()) message = t('err.401');
  return new ApiError(res.status, code, message, retryAfter, fields);
}
