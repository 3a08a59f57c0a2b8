// limits.test.mjs — the server's limits as a user meets them: a full
// server (MAGI_MAX_RUNNING=1) answers 429 and the page says when to retry,
// in English and Japanese; the history pages past its first page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, watch, waitDecision, shot } from './helpers.mjs';

const LIMIT = process.env.MAGI_LIMIT_URL || '';
const PAGING = process.env.MAGI_PAGING_URL || '';

/** POSTs a question to base and returns the new deliberation's id. */
async function start(base, question, rule = 'majority') {
  const res = await fetch(`${base}/api/deliberations`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question, rule }),
  });
  assert.ok(res.ok, `POST ${question}: ${res.status}`);
  return (await res.json()).id;
}

/** Waits until deliberation id at base is no longer running. */
async function settled(base, id, timeout = 60000) {
  const until = Date.now() + timeout;
  while (Date.now() < until) {
    const d = await (await fetch(`${base}/api/deliberations/${id}`)).json();
    if (d.status && d.status !== 'running') return d;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${id} still running after ${timeout} ms`);
}

/** Submits question from the form without waiting for a new URL. */
async function submit(page, question) {
  await page.fill('#question', question);
  await page.press('#question', 'Enter');
}

test('limits: a full server answers 429 and the page says when to retry', { skip: !LIMIT && 'MAGI_LIMIT_URL is not set' }, async () => {
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    const seen = watch(page, LIMIT);
    const refused = [];
    page.on('response', (r) => { if (r.status() === 429) refused.push(r.headers()['retry-after']); });
    await page.goto(`${LIMIT}/`);

    // One slow deliberation fills the server.
    const busy = await start(LIMIT, 'Should the observatory stay open all night? [slow]');
    const question = 'Should the garden be watered at dawn?';
    await submit(page, question);
    await page.waitForFunction(() => !document.getElementById('alert').hidden);
    const alert = await page.textContent('#alert');
    assert.equal(refused.length, 1, 'the server answered 429');
    const wait = Number(refused[0]);
    assert.ok(wait > 0, `Retry-After: ${refused[0]}`);
    assert.equal(alert, `Too many deliberations running — retry in ${wait} s.`);
    assert.equal(await page.inputValue('#question'), question, 'the question is kept for the retry');
    assert.equal(await page.isEnabled('#submit'), true, 'the form is usable again');
    assert.equal(await page.textContent('#status'), '', 'no stale "Submitting…"');
    assert.equal(new URL(page.url()).pathname, '/', 'stays on the form');
    await shot(page, 'limit-429');

    // The same in Japanese.
    await page.click('#lang-toggle');
    await page.press('#question', 'Enter');
    await page.waitForFunction(() => /秒後に再試行/.test(document.getElementById('alert').textContent));
    assert.equal(await page.textContent('#alert'), `審議が混み合っています — ${wait} 秒後に再試行してください。`);
    assert.equal(refused.length, 2);
    await page.click('#lang-toggle');

    // Once the first ends, the same question goes through.
    assert.equal((await settled(LIMIT, busy)).status, 'completed');
    await page.press('#question', 'Enter');
    await page.waitForURL(/\/d\/[^/]+$/);
    assert.equal(await page.isVisible('#alert'), false, 'the 429 message is cleared');
    assert.equal(await waitDecision(page), 'CONDITIONAL');
    assert.equal(await page.textContent('#asked'), question);

    assert.deepEqual(seen.errors, [], 'no page errors');
    assert.deepEqual(seen.dialogs, [], 'no alert() dialogs');
  } finally {
    await browser.close();
  }
});

test('limits: history pages past its first page, newest first, no duplicates', { skip: !PAGING && 'MAGI_PAGING_URL is not set' }, async () => {
  // history.js asks for the API's default page: 20 items.
  const before = await (await fetch(`${PAGING}/api/deliberations`)).json();
  assert.deepEqual(before.items, [], 'the paging server starts empty');
  const total = 23;
  const ids = [];
  for (let i = 0; i < total; i++) ids.push(await start(PAGING, `Paging question #${String(i).padStart(2, '0')}`));
  const newestFirst = [...ids].reverse();

  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    const seen = watch(page, PAGING);
    await page.goto(`${PAGING}/`);
    await page.waitForFunction(() => document.querySelectorAll('.history-item').length > 0);
    const shown = () => page.$$eval('.history-item', (as) => as.map((a) => a.dataset.id));
    const page1 = await shown();
    assert.equal(page1.length, 20, 'one page of 20');
    assert.deepEqual(page1, newestFirst.slice(0, 20), 'the first page is the newest, newest first');

    // Two clicks on MORE before the next page arrives load it once. (Both
    // in one task: a real double click's second click may land, after a
    // fast answer, on the history item drawn where MORE was.)
    const more = page.locator('#history button', { hasText: 'MORE' });
    await more.evaluate((b) => { b.click(); b.click(); });
    await page.waitForFunction((n) => document.querySelectorAll('.history-item').length >= n, total);
    await page.waitForLoadState('networkidle');
    const all = await shown();
    assert.deepEqual(all, newestFirst, 'every deliberation, newest first');
    assert.equal(new Set(all).size, all.length, 'no duplicates');
    assert.equal(await more.count(), 0, 'no MORE after the last page');
    const qs = await page.$$eval('.history-q', (es) => es.map((e) => e.textContent));
    assert.equal(qs[0], `Paging question #${total - 1}`);
    assert.equal(qs.at(-1), 'Paging question #00');

    // Opening a finished deliberation refreshes the history while the
    // first load may still be out: the list is still one copy of each.
    await page.goto(`${PAGING}/d/${ids[0]}`);
    await waitDecision(page);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(300);
    assert.deepEqual(await shown(), newestFirst.slice(0, 20), 'the first page once, newest first');

    assert.deepEqual(seen.errors, [], 'no page errors');
  } finally {
    await browser.close();
  }
});
