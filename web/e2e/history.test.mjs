// history.test.mjs — the history list, replaying a past deliberation from
// the store at /d/{id}, exporting it as Markdown and JSON, deleting it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { BASE, launch, watch, ask, waitDecision } from './helpers.mjs';

test('history: list, open (replay), export, delete', async () => {
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    const seen = watch(page);
    await page.goto(`${BASE}/`);
    const question = `Should the archive keep paper copies? #${Date.now()}`;
    const id = await ask(page, question, 'unanimous');
    await waitDecision(page);

    // Back to a fresh screen; the history lists the deliberation.
    await page.click('#new-link');
    await page.waitForURL(`${BASE}/`);
    const item = page.locator('.history-item', { hasText: question });
    await item.waitFor();
    assert.equal(await item.getAttribute('href'), `/d/${id}`);
    assert.equal(await page.$eval('#decision', (el) => el.dataset.state), 'idle');

    // Opening it replays it from the store.
    await item.click();
    await page.waitForURL(`${BASE}/d/${id}`);
    assert.equal(await waitDecision(page), 'REJECTED', 'unanimous with one vote against is REJECTED');
    assert.equal(await page.textContent('#asked'), question);
    assert.equal(await page.$eval('#f-rule', (el) => el.textContent), 'UNANIMOUS');
    assert.ok((await page.textContent('.plate-casper .plate-text')).length > 50, 'texts replayed');

    // A deep link opened directly shows the same deliberation.
    const other = await browser.context.newPage();
    await other.goto(`${BASE}/d/${id}`);
    assert.equal(await waitDecision(other), 'REJECTED');
    await other.close();

    // Export Markdown and JSON as downloads.
    const [md] = await Promise.all([page.waitForEvent('download'), page.click('#export-md')]);
    assert.match(md.suggestedFilename(), /\.md$/);
    const mdText = await readFile(await md.path(), 'utf8');
    assert.ok(mdText.includes(question), 'the Markdown names the question');
    const [js] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
    assert.match(js.suggestedFilename(), /\.json$/);
    const doc = JSON.parse(await readFile(await js.path(), 'utf8'));
    assert.equal(doc.id, id);
    assert.equal(doc.decision, 'REJECTED');

    // Delete asks for a second click, then removes it everywhere.
    await page.click('#delete');
    assert.equal(await page.textContent('#delete'), 'CONFIRM DELETE');
    await page.click('#delete');
    await page.waitForURL(`${BASE}/`);
    await page.waitForFunction((q) => ![...document.querySelectorAll('.history-q')].some((e) => e.textContent === q), question);
    const res = await fetch(`${BASE}/api/deliberations/${id}`);
    assert.equal(res.status, 404);

    assert.deepEqual(seen.errors, [], 'no page errors');
  } finally {
    await browser.close();
  }
});
