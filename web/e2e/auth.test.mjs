// auth.test.mjs — a server with API keys: the login box asks for the key,
// a wrong key keeps the page locked, the right one unlocks history and a
// live deliberation. The key stays out of every URL and the server's log,
// travels as an Authorization header (also on the event stream), and is
// kept for the tab's session only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, watch, ask, lengths, waitDecision, shot } from './helpers.mjs';

const AUTH = process.env.MAGI_AUTH_URL || '';
const KEY = process.env.MAGI_AUTH_KEY || '';
const LOG = process.env.MAGI_AUTH_LOG || '';

/** Records every request of page: url, headers, and the 401 responses. */
function record(page) {
  const reqs = [];
  const unauthorized = [];
  page.on('request', async (r) => {
    const entry = { url: r.url(), headers: {} };
    reqs.push(entry);
    try { entry.headers = await r.allHeaders(); } catch { entry.headers = r.headers(); }
  });
  page.on('response', (r) => { if (r.status() === 401) unauthorized.push(r.url()); });
  return { reqs, unauthorized };
}

/** Waits for the login box to be open. */
function loginOpen(page) {
  return page.waitForFunction(() => document.getElementById('login').open);
}

/** Whether the login box is open now. */
function isLoginOpen(page) {
  return page.$eval('#login', (d) => d.open);
}

/** Types key into the login box and submits it. */
async function useKey(page, key) {
  await page.fill('#login-key', key);
  await page.click('#login-form button[type=submit]');
}

test('auth: login box, wrong key, right key, live stream, session-only key, key never in a URL or the log', { skip: !AUTH && 'MAGI_AUTH_URL is not set' }, async () => {
  assert.match(KEY, /^magi_[0-9a-f]{8}_/, 'the Go test passes the key printed by magi keys create');

  // Without the key the API refuses; with it a first deliberation exists for the history.
  const refused = await fetch(`${AUTH}/api/deliberations`);
  assert.equal(refused.status, 401);
  assert.equal((await refused.json()).error.code, 'unauthorized');
  const made = await fetch(`${AUTH}/api/deliberations`, {
    method: 'POST', headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ question: 'Is the archive locked at night?', rule: 'majority' }),
  });
  assert.ok(made.ok, `POST with the key: ${made.status}`);
  const first = (await made.json()).id;

  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    const seen = watch(page, AUTH);
    const rec = record(page);
    await page.goto(`${AUTH}/`);

    // The history call got 401: the login box asks for the key, with words a user can act on.
    await loginOpen(page);
    assert.ok(rec.unauthorized.some((u) => u.endsWith('/api/deliberations')), `the history call was refused: ${rec.unauthorized}`);
    assert.equal(await page.textContent('#login-title'), 'API KEY REQUIRED');
    assert.match(await page.textContent('#login p'), /requires an API key/);
    assert.ok(await page.isVisible('#login-key'), 'the key field is shown');
    assert.ok(await page.isVisible('#login-open'), 'the API KEY button is shown');
    assert.equal(await page.textContent('#alert'), 'The server needs an API key: enter one with the API KEY button.',
      'the page says where to give the key, not which header an API client sends');
    assert.equal(await page.$$eval('.history-item', (a) => a.length), 0, 'no history without a key');
    assert.equal(await page.$$eval('#history .empty', (p) => p.length), 0, 'a refused history is not shown as empty');
    await shot(page, 'login');

    // A wrong key: an error, and the page stays locked.
    const before = rec.unauthorized.length;
    await useKey(page, 'magi_00000000_not-the-right-key');
    await page.waitForFunction(() => /not valid/.test(document.getElementById('alert').textContent));
    await loginOpen(page);
    assert.ok(rec.unauthorized.length > before, 'the wrong key was refused by the server');
    assert.ok(await isLoginOpen(page), 'still locked after a wrong key');
    assert.equal(await page.$$eval('.history-item', (a) => a.length), 0, 'still no history after a wrong key');
    await shot(page, 'login-wrong-key');

    // The right key unlocks: the box closes, the history loads.
    await useKey(page, KEY);
    await page.locator(`.history-item[data-id="${first}"]`).waitFor();
    assert.equal(await isLoginOpen(page), false, 'the login box closed');
    assert.equal(await page.isVisible('#alert'), false, 'the error is cleared');

    // A deliberation asked from the page streams live to its end.
    const refusedBefore = rec.unauthorized.length;
    const id = await ask(page, 'Should the vault open on holidays? [slow]');
    await page.waitForFunction(() => document.querySelector('.plate-melchior .plate-text').textContent.length > 40);
    const mid = await lengths(page);
    assert.equal(await page.$eval('#decision', (el) => el.dataset.state), 'thinking', `text arrives before the decision: ${mid}`);
    assert.equal(await waitDecision(page), 'CONDITIONAL');
    assert.match(await page.textContent('#status'), /complete/i);
    assert.equal(rec.unauthorized.length, refusedBefore, 'nothing refused once the key is given');
    await page.locator(`.history-item[data-id="${id}"]`).waitFor();

    // The event stream carried the key in its Authorization header.
    const streams = rec.reqs.filter((r) => new URL(r.url).pathname === `/api/deliberations/${id}/events`);
    assert.ok(streams.length >= 1, 'the page opened the event stream');
    for (const s of streams) assert.equal(s.headers.authorization, `Bearer ${KEY}`, `Authorization on ${s.url}`);
    const calls = rec.reqs.filter((r) => new URL(r.url).pathname.startsWith('/api/') && r.headers.authorization === `Bearer ${KEY}`);
    assert.ok(calls.length >= 3, `API calls carry the key: ${calls.map((c) => c.url)}`);

    // Reload: the key is kept for the tab's session; no login box.
    const n401 = rec.unauthorized.length;
    await page.reload();
    await page.waitForURL(`${AUTH}/d/${id}`);
    assert.equal(await waitDecision(page), 'CONDITIONAL', 'replayed with the kept key');
    await page.locator(`.history-item[data-id="${first}"]`).waitFor();
    assert.equal(await isLoginOpen(page), false, 'no login box after a reload');
    assert.equal(rec.unauthorized.length, n401, 'no 401 after a reload');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('magi.key')), KEY, 'kept in sessionStorage');
    assert.equal(await page.evaluate(() => JSON.stringify({ ...localStorage }).includes('magi_')), false, 'never in localStorage');

    // Another tab is another session: it asks again.
    const tab = await browser.context.newPage();
    const tabRec = record(tab);
    await tab.goto(`${AUTH}/`);
    await loginOpen(tab);
    assert.ok(tabRec.unauthorized.length > 0, 'a new tab has no key');
    await tab.close();

    // The key never appears in a URL.
    const urls = [...rec.reqs, ...tabRec.reqs].map((r) => r.url).concat(await page.evaluate(() => [location.href, ...performance.getEntries().map((e) => e.name)]));
    for (const u of urls) {
      assert.ok(!u.includes(KEY), `the key is in a URL: ${u}`);
      assert.ok(!/[?&](api_?)?key=|token=/i.test(u), `a credential parameter in a URL: ${u}`);
    }
    assert.deepEqual(seen.errors, [], 'no page errors');
    assert.deepEqual(seen.dialogs, [], 'no alert() dialogs');
    assert.deepEqual(seen.offsite, [], 'no request leaves the origin');
  } finally {
    await browser.close();
  }

  // A new browser (a new session) asks again.
  const fresh = await launch();
  try {
    const page = await fresh.context.newPage();
    await page.goto(`${AUTH}/`);
    await loginOpen(page);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('magi.key')), null);
  } finally {
    await fresh.close();
  }

  // The server's log never holds the key.
  if (LOG) {
    const log = await readFile(LOG, 'utf8');
    assert.ok(log.length > 0, 'the server logged something');
    assert.ok(!log.includes(KEY), 'the key is in the server log');
    // The secret is what follows magi_ and the 8-hex id; it may itself hold '_'.
    assert.ok(!log.includes(KEY.slice('magi_'.length + 9)), 'the key secret is in the server log');
  }
});
