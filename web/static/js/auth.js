// auth.js — who the page acts for when the server signs users in through
// an identity provider: GET /auth/me says whether a session exists (and
// gives its CSRF token), sign-out ends it there and at the provider.
import { request, setCSRF } from './api.js';

/**
 * whoAmI asks the server who this browser is, by its session cookie only:
 * {mode: 'session', user} when signed in; {mode: 'signin'} when sign-in is
 * on but this browser has no live session; {mode: 'off'} when the server
 * has no sign-in (204) or cannot say.
 */
export async function whoAmI() {
  let res;
  try {
    res = await fetch('/auth/me', { credentials: 'same-origin', cache: 'no-store' });
  } catch {
    return { mode: 'off' };
  }
  if (res.status === 401) return { mode: 'signin' };
  if (res.status !== 200) return { mode: 'off' }; // 204: no sign-in on this server
  const me = await res.json();
  setCSRF(me.csrf_token);
  return { mode: 'session', user: me };
}

/** The URL that signs in and comes back to the page on screen. */
export function signInURL() {
  return `/auth/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

/** Ends the session and follows the server to the provider's sign-out. */
export async function signOut() {
  const res = await request('/auth/logout', { method: 'POST' });
  const { redirect } = await res.json();
  setCSRF('');
  location.assign(redirect || '/');
}
