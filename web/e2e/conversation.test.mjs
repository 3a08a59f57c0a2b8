// conversation.test.mjs — a two-turn conversation on the simulated
// council: the follow-up box under a finished deliberation, the thread of
// earlier turns (folded, expandable) above the new turn streaming live, the
// simulated sages referring to the earlier decision, the history grouping
// the turns, a reload keeping the thread, the export of the whole
// conversation and its deletion; and the same thread at phone width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { SIM, launch, watch, ask, waitDecision, shot, api } from './helpers.mjs';

const skip = SIM ? false : 'MAGI_SIM_URL not set';
const KANJI = { APPROVED: '承認', REJECTED: '否決', CONDITIONAL: '条件付' };

test('a two-turn conversation: follow up, the thread, the history, reload, export, delete', { skip }, async () => {
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    const seen = watch(page, SIM);
    await page.goto(`${SIM}/`);
    const first = `Should we adopt a four-day work week? #${Date.now()}`;
    const id1 = await ask(page, first);
    assert.equal(await page.isVisible('#followup'), false, 'no follow-up box while the deliberation runs');
    await waitDecision(page);
    const rec1 = await api(`/api/deliberations/${id1}`, SIM);
    await page.waitForSelector('#followup', { state: 'visible' });
    assert.equal(await page.isVisible('#thread'), false, 'a first question has no thread');

    // The follow-up: the page moves to the new turn, the thread above it.
    const second = 'What if only for the support team?';
    await page.fill('#followup-q', second);
    await page.press('#followup-q', 'Enter');
    await page.waitForURL((u) => u.pathname.startsWith('/d/') && !u.pathname.endsWith(id1));
    const id2 = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
    await page.waitForSelector('#thread .turn');
    assert.equal(await page.textContent('#asked'), second);
    const turn = page.locator('#thread .turn');
    assert.equal(await turn.count(), 1, 'one earlier turn');
    assert.equal(await turn.getAttribute('data-decision'), rec1.decision);
    assert.equal(await page.textContent('#thread .turn-q'), first);
    assert.ok((await page.textContent('#thread .turn-decision')).includes(KANJI[rec1.decision]), 'the earlier decision shows');
    assert.equal(await page.textContent('#thread .turn-summary'), rec1.summary);
    assert.equal(await page.$eval('#thread details', (d) => d.open), false, 'earlier turns are folded');
    assert.equal(await page.isVisible('#thread .turn-body'), false);
    assert.ok((await page.textContent('#thread .thread-head')).includes('TURN 2'));

    // The new turn streams live below the thread, and the sages refer to the earlier decision.
    await page.waitForFunction(() => document.querySelector('.plate-melchior .plate-text').textContent.includes('Following our earlier decision'));
    assert.notEqual(await page.$eval('#decision', (el) => el.dataset.state), 'idle');
    const streamedBeforeDecision = await page.$eval('#decision', (el) => !/APPROVED|REJECTED|CONDITIONAL/.test(el.dataset.state));
    await waitDecision(page);
    assert.ok(streamedBeforeDecision, 'the new turn was on screen while it deliberated');
    const text = await page.textContent('.plate-casper .plate-text');
    assert.ok(text.includes(`arlier decision on “${first.split(' #')[0]}`), `the sage refers to the earlier decision: ${text.slice(0, 300)}`);
    await page.waitForSelector('#followup', { state: 'visible' });

    // Expanding the earlier turn, with the keyboard.
    await page.focus('#thread summary');
    await page.keyboard.press('Enter');
    // the thread may be drawn again as the turn ends; it keeps a turn the reader opened
    await page.waitForFunction(() => document.querySelector('#thread details')?.open === true);
    assert.ok(await page.isVisible('#thread .turn-body'));
    assert.equal(await page.locator('#thread .turn-votes li').count(), 4, 'each sage and SOLOMON');
    if (rec1.note) assert.ok((await page.textContent('#thread .turn-body')).includes(rec1.note));
    await shot(page, 'conversation');

    const conv = await api(`/api/conversations/${id2}`, SIM);
    assert.deepEqual(conv.turns.map((r) => r.id), [id1, id2]);
    assert.equal(conv.id, id1);

    // The history groups the two turns, the newest first.
    const group = page.locator('.history-conversation', { has: page.locator(`a[data-id="${id2}"]`) });
    await group.waitFor();
    assert.deepEqual(await group.locator('a[data-id]').evaluateAll((as) => as.map((a) => a.dataset.id)), [id2, id1]);
    assert.ok((await group.locator('.history-meta').first().textContent()).includes('2 TURNS'));

    // A reload keeps the thread.
    await page.reload();
    await page.waitForSelector('#thread .turn');
    assert.equal(await page.textContent('#thread .turn-q'), first);
    assert.equal(await waitDecision(page), conv.turns[1].decision);

    // The export of the whole conversation.
    const [md] = await Promise.all([page.waitForEvent('download'), page.click('#export-thread')]);
    assert.equal(md.suggestedFilename(), `magi-conversation-${id1}.md`);
    const mdText = await readFile(await md.path(), 'utf8');
    assert.ok(mdText.indexOf(first) < mdText.indexOf(`## Turn 2: deliberation ${id2}`), 'every turn, in order');

    // The first turn, opened from the thread, says it continues.
    await page.click('#thread summary');
    await page.click('#thread .turn-open');
    await page.waitForURL(`${SIM}/d/${id1}`);
    await page.waitForSelector('#thread-after', { state: 'visible' });
    assert.ok((await page.textContent('#thread-after')).includes(second));
    assert.equal(await page.isVisible('#thread'), false);

    // Japanese labels, the thread's too.
    await page.click('#lang-toggle');
    assert.equal(await page.textContent('#followup label [data-i18n="followup"]'), '追加質問');
    assert.ok((await page.textContent('#thread-after')).includes('この後の質問'));
    await page.click('#lang-toggle');

    // Deleting the conversation deletes both turns.
    await page.click('#delete-thread');
    await page.click('#delete-thread');
    await page.waitForURL(`${SIM}/`);
    for (const id of [id1, id2]) assert.equal((await fetch(`${SIM}/api/deliberations/${id}`)).status, 404);

    assert.deepEqual(seen.errors, [], 'no page errors');
    assert.deepEqual(seen.console, [], 'no console errors');
  } finally {
    await browser.close();
  }
});

test('a conversation at phone width: the thread first, the follow-up box after the decision', { skip }, async () => {
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${SIM}/`);
    await ask(page, 'Should the library open on Sundays?');
    await waitDecision(page);
    await page.fill('#followup-q', 'Then only in summer?');
    await page.click('#followup-submit');
    await page.waitForSelector('#thread .turn');
    await waitDecision(page);
    await page.waitForSelector('#followup', { state: 'visible' });
    const tops = await page.evaluate(() => ['#thread', '#asked-wrap', '.plate-melchior', '.plate-solomon', '#decision', '#followup']
      .map((s) => document.querySelector(s).getBoundingClientRect()).map((r) => ({ top: r.top, left: r.left, right: r.right })));
    for (let i = 1; i < tops.length; i++) assert.ok(tops[i].top > tops[i - 1].top, `stacked in order: ${JSON.stringify(tops)}`);
    for (const r of tops) assert.ok(r.left >= 0 && r.right <= 390, `within the width: ${JSON.stringify(r)}`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scrolling');
    await page.locator('#thread').scrollIntoViewIfNeeded();
    await shot(page, 'conversation-phone');
  } finally {
    await browser.close();
  }
});
