// signin.test.mjs — a server that signs users in through an identity
// provider (the fake one of web/e2e_test.go): the sign-in screen, the
// provider's form and back, the user's name and sign-out, a deliberation
// with the session cookie and its CSRF token, a session that ends while a
// deliberation streams (the stream goes on, the page says so), another
// user who sees none of it, and a refused account.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, watch, ask, waitDecision, shot } from './helpers.mjs';

const SSO = process.env.MAGI_SSO_URL || '';
const IDP = process.env.MAGI_IDP_URL || '';
const LOG = process.env.MAGI_SSO_LOG || '';

/** Waits for the sign-in screen. */
async function signInScreen(page) {
  await page.locator('#signin').waitFor();
  assert.equal(await page.isVisible('.layout'), false, 'the council is hidden until one signs in');
}

/** Signs in as user at the provider's form, from the sign-in screen or the expired notice. */
async function signIn(page, user, from = '#signin-go') {
  await page.click(from);
  await page.waitForURL((u) => u.href.startsWith(`${IDP}/authorize?`));
  await page.fill('#user', user);
  await Promise.all([page.waitForURL((u) => u.href.startsWith(SSO)), page.click('#signin')]);
}

/** Records the requests of page to the server: url, method and headers. */
function record(page) {
  const reqs = [];
  page.on('request', async (r) => {
    if (!r.url().startsWith(SSO)) return;
    const entry = { url: r.url(), method: r.method(), headers: {} };
    reqs.push(entry);
    try { entry.headers = await r.allHeaders(); } catch { entry.headers = r.headers(); }
  });
  return reqs;
}

test('sign-in: sign in, deliberate, session ends mid-stream, sign in again, sign out; others see nothing', { skip: !SSO && 'MAGI_SSO_URL is not set' }, async () => {
  const browser = await launch();
  const secrets = [];
  let id = '';
  try {
    const page = await browser.context.newPage();
    const seen = watch(page, SSO);
    const reqs = record(page);
    await page.goto(`${SSO}/`);

    // The sign-in screen, in the MAGI style; nothing of the API was asked.
    await signInScreen(page);
    assert.equal(await page.textContent('#signin-title'), '認証 IDENTIFICATION REQUIRED');
    assert.equal(await page.getAttribute('#signin-go', 'href'), '/auth/login?next=%2F');
    assert.equal(reqs.filter((r) => new URL(r.url).pathname.startsWith('/api/')).length, 0, 'no API call before signing in');
    await shot(page, 'signin');
    // The API key box stays for key users.
    await page.click('#signin-key');
    assert.ok(await page.$eval('#login', (d) => d.open), 'USE AN API KEY opens the key box');
    await page.click('#login-cancel');

    // The provider's form, then back, signed in.
    await signIn(page, 'u-alice');
    await page.locator('#user').waitFor();
    assert.equal(await page.textContent('#user'), 'Alice Liddell');
    assert.ok(await page.isVisible('#signout'), 'a sign-out control');
    assert.equal(await page.isVisible('#signin'), false);
    assert.equal(await page.isVisible('#login-open'), false, 'no API KEY button for a signed-in user');
    const cookies = await browser.context.cookies(SSO);
    const session = cookies.find((c) => c.name === 'magi_session');
    assert.ok(session && session.httpOnly && session.sameSite === 'Lax', `the session cookie: ${JSON.stringify(session)}`);
    assert.equal(await page.evaluate(() => document.cookie.includes('magi_session')), false, 'HttpOnly: no script reads it');
    secrets.push(session.value);

    // A deliberation, streamed live, with the cookie and the CSRF token.
    id = await ask(page, 'Should the archive open on Sundays? [slow]');
    assert.equal(await waitDecision(page), 'CONDITIONAL');
    const post = reqs.find((r) => r.method === 'POST' && new URL(r.url).pathname === '/api/deliberations');
    assert.ok(post, 'the page posted the question');
    assert.match(post.headers['x-csrf-token'] || '', /^[A-Za-z0-9_-]{43}$/, 'the POST carries the CSRF token');
    assert.equal(post.headers.authorization, undefined, 'no Authorization header: the cookie authenticates');
    secrets.push(post.headers['x-csrf-token']);
    await page.locator(`.history-item[data-id="${id}"]`).waitFor();
    await shot(page, 'signed-in');

    // The session ends (signed out in another tab) while a deliberation
    // streams here: the stream goes on to its end, then the page says the
    // session has ended.
    await page.click('#new-link');
    await page.waitForURL(`${SSO}/`);
    const live = await ask(page, 'Should the vault open on holidays? [slow]');
    assert.notEqual(live, id);
    await page.waitForFunction(() => document.querySelector('.plate-melchior .plate-text').textContent.length > 40);
    const tab = await browser.context.newPage();
    await tab.goto(`${SSO}/`);
    await tab.locator('#signout').waitFor();
    await Promise.all([tab.waitForURL(`${SSO}/`), tab.click('#signout')]);
    await signInScreen(tab);
    assert.equal(await waitDecision(page), 'CONDITIONAL', 'the stream ran to its end after the session ended');
    await page.locator('#expired').waitFor();
    assert.match(await page.textContent('#expired'), /Your session has ended/);
    assert.equal(await page.$eval('#decision', (el) => el.dataset.state), 'CONDITIONAL', 'the screen stays');
    assert.equal(await page.$$eval(`.history-item[data-id="${id}"]`, (a) => a.length), 1, 'the history on screen stays');
    await shot(page, 'session-expired');
    // A new request needs a new session: sign in again from the notice, back to this deliberation.
    assert.equal(await page.getAttribute('#expired-signin', 'href'), `/auth/login?next=${encodeURIComponent(`/d/${live}`)}`);
    await signIn(page, 'u-alice', '#expired-signin');
    await page.waitForURL(`${SSO}/d/${live}`);
    assert.equal(await waitDecision(page), 'CONDITIONAL', 'replayed after signing in again');
    await page.locator('#user').waitFor();
    const again = (await browser.context.cookies(SSO)).find((c) => c.name === 'magi_session');
    assert.notEqual(again.value, session.value, 'a new session id');
    secrets.push(again.value);

    // Sign out: through the provider, back to the sign-in screen.
    await Promise.all([page.waitForURL(`${SSO}/`), page.click('#signout')]);
    await signInScreen(page);
    assert.equal((await browser.context.cookies(SSO)).some((c) => c.name === 'magi_session'), false, 'the cookie is gone');

    for (const r of reqs) {
      for (const s of secrets) assert.ok(!r.url.includes(s), `a secret in a URL: ${r.url}`);
    }
    assert.deepEqual(seen.errors, [], 'no page errors');
    assert.deepEqual(seen.dialogs, [], 'no alert() dialogs');
    assert.deepEqual(seen.offsite.filter((u) => !u.startsWith(IDP)), [], 'only the provider is visited');
  } finally {
    await browser.close();
  }

  // Bob, in another browser, sees none of Alice's deliberations.
  const other = await launch();
  try {
    const page = await other.context.newPage();
    await page.goto(`${SSO}/d/${id}`);
    await signInScreen(page);
    await signIn(page, 'u-bob');
    await page.waitForURL(`${SSO}/d/${id}`);
    await page.locator('#alert').waitFor();
    assert.match(await page.textContent('#alert'), /no such deliberation/, 'alice\'s deliberation is not found for bob');
    assert.equal(await page.$$eval(`.history-item[data-id="${id}"]`, (a) => a.length), 0, 'not in bob\'s history');
    assert.equal(await page.textContent('#user'), 'Bob');
    await Promise.all([page.waitForURL(`${SSO}/`), page.click('#signout')]);
    await signInScreen(page);

    // Eve's domain is not allowed: the server's page says so, with a way back.
    await signIn(page, 'u-eve');
    await page.locator('#signin-reason').waitFor();
    assert.match(await page.textContent('#signin-reason'), /eve@evil\.test may not use this MAGI server/);
    assert.equal(await page.getAttribute('#signin-again', 'href'), '/auth/login');
    await shot(page, 'signin-refused');
  } finally {
    await other.close();
  }

  if (LOG) {
    const log = await readFile(LOG, 'utf8');
    for (const s of secrets) assert.ok(!log.includes(s), 'a session id or CSRF token is in the server log');
  }
});
