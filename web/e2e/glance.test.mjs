// glance.test.mjs — the outcome at a glance, measured: on a laptop's page
// (1366×650) the banner, the tally and the three votes are in view above
// a long question, an error and the simulator notice, and still in the
// banner on the third turn of a conversation; finished answers
// open at their first line with no raw verdict JSON; the reader holds the
// whole answer and its verdict; focus is visible on every plate, one tab
// stop each; votes are announced once; blinking ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, SIM, SAGES, launch, watch, ask, waitDecision, boxes, open, settled, shot, api, post } from './helpers.mjs';

const MEMBERS = [...SAGES, 'solomon'];
const LONG = `${'Our municipal library board has argued for months about opening every branch on Sundays, with staff, budget and safety concerns on all sides. '.repeat(4)}Should we?`;

/** What each plate shows: its scroll position, whether its first line is in view, and its visible text. */
function plates(page) {
  return page.evaluate((ids) => ids.map((id) => {
    const text = document.querySelector(`.plate-${id} .plate-text`);
    const first = text.firstElementChild?.getBoundingClientRect();
    const box = text.getBoundingClientRect();
    return {
      id, scrollTop: text.scrollTop, overflows: text.scrollHeight > text.clientHeight + 2,
      firstInView: Boolean(first) && first.top >= box.top - 1 && first.top < box.bottom,
      visible: document.querySelector(`.plate-${id}`).innerText,
    };
  }), MEMBERS);
}

function assertReadable(got, where) {
  for (const p of got) {
    assert.equal(p.scrollTop, 0, `${where}: ${p.id} opens at its start`);
    assert.ok(p.firstInView, `${where}: ${p.id}'s first line is in view`);
    assert.ok(!p.visible.includes('"decision"') && !p.visible.includes('```'), `${where}: ${p.id} shows no raw verdict JSON: ${p.visible.slice(-300)}`);
  }
}

test('at a glance on 1366×650: banner, tally and three votes above the fold, whatever sits above', { skip: SIM ? false : 'MAGI_SIM_URL not set' }, async () => {
  const browser = await launch();
  try {
    const page = await open(browser);
    const seen = watch(page, SIM);
    // An error that concerns the whole page: the history cannot be loaded.
    await page.route((u) => u.pathname === '/api/deliberations' && !u.search, (route) => (route.request().method() === 'GET'
      ? route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable","message":"The store is unavailable; try again shortly."}}' })
      : route.continue()));
    await page.goto(`${SIM}/`);
    await ask(page, LONG);
    await waitDecision(page);
    assert.ok(await page.isVisible('#sim-banner'), 'the simulator notice is on screen');
    assert.ok(await page.isVisible('#alert'), 'the error is on screen');
    assert.ok(await page.isVisible('#asked-wrap'), 'the long question is on screen');
    await page.evaluate(() => window.scrollTo(0, 0));
    const sels = ['#decision', '#decision-word', '#decision .tally', ...SAGES.map((s) => `.plate-${s} .plate-state .verdict-kanji`)];
    const got = await boxes(page, sels);
    sels.forEach((s, i) => {
      assert.ok(got[i], `${s} is drawn`);
      assert.ok(got[i].top >= 0 && got[i].bottom <= 650 && got[i].height > 0, `${s} within the first 650 px: ${JSON.stringify(got[i])}`);
    });
    const notice = await boxes(page, ['#sim-banner']);
    assert.ok(notice[0].height <= 40, `the simulator notice is one line: ${notice[0].height} px`);
    assert.match(await page.textContent('#sim-banner summary'), /SIMULATED/, 'still clearly labelled');
    await shot(page, 'glance-laptop');

    // The note says why; the alert is dismissed with its button.
    const first = page.url().split('/').pop();
    const rec = await settled(first, SIM);
    if (rec.note) assert.ok((await page.textContent('#decision .note')).includes(rec.note), 'the note is under the banner');

    // The third turn of a conversation, asked with a long question, under
    // the same error and notice: the two earlier turns above push the
    // plates down, the banner still says the decision, the tally and every
    // vote within the first 650 px.
    const second = await post({ question: 'Then how should the Sunday shifts be staffed?', follow_up: first }, SIM);
    await settled(second, SIM);
    const third = await post({ question: LONG, follow_up: second }, SIM);
    await settled(third, SIM);
    await page.goto(`${SIM}/d/${third}`);
    await waitDecision(page);
    await page.waitForSelector('#thread .turn');
    assert.ok(await page.isVisible('#alert') && await page.isVisible('#sim-banner') && await page.isVisible('#asked-wrap'), 'the error, the notice and the question are above');
    assert.equal(await page.$$eval('#thread .turn', (els) => els.length), 2, 'two earlier turns above');
    const turnSels = ['#decision-word', '#decision .tally', ...[1, 2, 3].map((n) => `#decision .sage-vote:nth-child(${n})`)];
    const turnBoxes = await boxes(page, turnSels);
    turnSels.forEach((s, i) => {
      assert.ok(turnBoxes[i] && turnBoxes[i].top >= 0 && turnBoxes[i].bottom <= 650 && turnBoxes[i].height > 0, `third turn: ${s} within the first 650 px: ${JSON.stringify(turnBoxes[i])}`);
    });
    const votes = await page.$eval('#decision .sage-votes', (el) => el.textContent);
    for (const a of (await settled(third, SIM)).agents.filter((x) => x.id !== 'solomon')) {
      assert.ok(votes.includes(a.verdict.decision), `the banner says ${a.id}'s vote (${a.verdict.decision}): ${votes}`);
    }
    await shot(page, 'glance-conversation');
    await page.click('#alert-close');
    assert.equal(await page.isVisible('#alert'), false, 'the alert is dismissible');
    assert.deepEqual(seen.errors, []);
  } finally {
    await browser.close();
  }
});

test('finished answers open at their first line, as prose; the reader holds the answer and its verdict', async () => {
  const browser = await launch();
  try {
    const page = await open(browser);
    const seen = watch(page);
    await page.goto(`${BASE}/`);
    const id = await ask(page, 'Should the city open a public library on Sundays? [slow]');

    // While a sage streams, its plate follows the end of its text.
    await page.waitForFunction(() => {
      const el = document.querySelector('.plate-melchior .plate-text');
      return document.querySelector('.plate-melchior').dataset.state === 'thinking' && el.scrollHeight > el.clientHeight + 40;
    }, null, { timeout: 30000 });
    const tail = await page.$eval('.plate-melchior .plate-text', (el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    assert.ok(tail < 40, `a streaming plate shows its newest words (${tail} px below)`);

    await waitDecision(page);
    assertReadable(await plates(page), 'live');
    assert.equal(await page.$eval('#decision', (el) => el.hasAttribute('aria-live')), false, 'the banner is not a live region');

    // A deep link to the finished deliberation, on a large screen: the same, from the start.
    const deep = await open(browser, { width: 1920, height: 1080 });
    await deep.goto(`${BASE}/d/${id}`);
    await waitDecision(deep);
    assertReadable(await plates(deep), 'deep link');

    // The reader: the whole prose and the formatted verdict, ~70 characters a line; RAW keeps the JSON.
    await deep.click('.plate-balthasar .plate-read');
    await deep.waitForSelector('#reader[open]');
    const reader = await deep.evaluate(() => {
      const body = document.querySelector('#reader-body');
      const p = body.querySelector('p');
      const ch = (() => { const s = document.createElement('span'); s.textContent = '0'.repeat(10); p.append(s); const w = s.getBoundingClientRect().width / 10; s.remove(); return w; })();
      return { text: body.innerText, scrollTop: body.scrollTop, measure: p.getBoundingClientRect().width / ch, vote: body.querySelector('.reader-verdict')?.innerText || '' };
    });
    assert.equal(reader.scrollTop, 0, 'the reader opens at the start');
    assert.ok(!reader.text.includes('"decision"'), 'no raw JSON in the reader');
    assert.match(reader.vote, /CONDITIONAL/, 'the verdict is in the reader');
    assert.ok(reader.measure > 45 && reader.measure < 90, `a comfortable measure: ${reader.measure.toFixed(0)} characters a line`);
    await deep.click('#reader-raw');
    assert.ok((await deep.textContent('#reader-body')).includes('"decision"'), 'RAW shows the verdict as written');
    await deep.click('#reader-close');
    assert.deepEqual([...seen.errors], []);
  } finally {
    await browser.close();
  }
});

test('keyboard: one tab stop per plate, focus visible on each; arrow keys in the tab lists', async () => {
  const browser = await launch();
  try {
    const page = await open(browser);
    await page.goto(`${BASE}/`);
    await ask(page, 'Should the team move to a four-day week?');
    await waitDecision(page);
    await page.focus('#question');
    const stops = {};
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const at = await page.evaluate(() => {
        const el = document.activeElement;
        const plate = el.closest('.plate');
        if (!plate) return el.id === 'tab-history' ? 'END' : null;
        const cs = getComputedStyle(el);
        return { agent: plate.dataset.agent, style: cs.outlineStyle, width: parseFloat(cs.outlineWidth), color: cs.outlineColor, tag: el.className };
      });
      if (at === 'END') break;
      if (!at) continue;
      (stops[at.agent] ||= []).push(at);
    }
    for (const id of MEMBERS) {
      assert.equal(stops[id]?.length, 1, `${id}: one tab stop (${JSON.stringify(stops[id])})`);
      const s = stops[id][0];
      assert.ok(s.style !== 'none' && s.width >= 2, `${id}: a visible focus outline (${s.style} ${s.width}px ${s.color})`);
    }
    // Each text area is named for screen readers, and says how to read on.
    for (const name of ['MELCHIOR·1', 'BALTHASAR·2', 'CASPER·3', 'SOLOMON']) {
      assert.equal(await page.getByRole('region', { name: `${name} answer`, exact: true }).count(), 1, `${name}'s text area is labelled`);
    }
    assert.match(await page.$eval('.plate-casper .plate-text', (el) => document.getElementById(el.getAttribute('aria-describedby')).textContent), /Enter opens the whole answer/);
    // Enter on a plate opens the reader.
    await page.focus('.plate-casper .plate-text');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#reader[open]');
    await page.keyboard.press('Escape');

    await page.focus('#tab-history');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getAttribute('#tab-trace', 'aria-selected'), 'true', '→ selects the trace');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-trace');
    assert.ok(await page.isVisible('#trace'));
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.getAttribute('#tab-history', 'aria-selected'), 'true', '← back to the history');
  } finally {
    await browser.close();
  }
});

test('each vote and the decision are announced once; blinking ends within 5 s', async () => {
  const browser = await launch();
  try {
    const page = await open(browser);
    await page.emulateMedia({ reducedMotion: 'no-preference' });
    await page.addInitScript(() => {
      window.__said = [];
      // Every animation that ever ran, sampled each frame: a part made anew
      // at each token would start a new one each frame.
      window.__anims = new Set();
      const sample = () => { for (const a of document.getAnimations()) window.__anims.add(a); requestAnimationFrame(sample); };
      requestAnimationFrame(sample);
      addEventListener('DOMContentLoaded', () => {
        const live = document.querySelector('#announce');
        new MutationObserver(() => { if (live.textContent) window.__said.push(live.textContent); }).observe(live, { childList: true, characterData: true, subtree: true });
      });
    });
    await page.goto(`${BASE}/`);
    await ask(page, 'Should the council fund a night bus? [slow]');
    await page.waitForSelector('.plate[data-state="thinking"]');
    const timings = await page.evaluate(() => document.getAnimations().map((a) => a.effect.getComputedTiming().endTime));
    assert.ok(timings.length > 0, 'something blinks while the sages think');
    for (const end of timings) assert.ok(end <= 5000, `an animation ends within 5 s (${end} ms)`);
    await waitDecision(page);
    const rec = await api(`/api/deliberations/${page.url().split('/').pop()}`);
    const ran = await page.evaluate(() => [...window.__anims].map((a) => ({ name: a.animationName || a.transitionProperty, end: a.effect.getComputedTiming().endTime })));
    for (const a of ran) assert.ok(a.end <= 5000, `${a.name} ends within 5 s (${a.end} ms)`);
    // A few per plate and round (its frame's change, pulse, blink, the live
    // round's dot) and the banner's: never one per token.
    const bound = 6 * 4 * (rec.rounds?.length || 1) + 10;
    assert.ok(ran.length <= bound, `${ran.length} animations ran, at most ${bound} expected: blinking restarts each token?`);
    const said = (await page.evaluate(() => window.__said)).join('. ').split('. ');
    const decisions = said.filter((s) => s.startsWith('DECISION:'));
    assert.equal(decisions.length, 1, `the decision is announced once: ${JSON.stringify(said)}`);
    for (const name of ['MELCHIOR·1', 'BALTHASAR·2', 'CASPER·3']) {
      const n = said.filter((s) => s.startsWith(`${name}:`)).length;
      assert.ok(n >= 1 && n <= (rec.rounds?.length || 1), `${name}'s vote announced once a round (${n} in ${rec.rounds?.length || 1}): ${JSON.stringify(said)}`);
    }

    const reduced = await open(browser);
    await reduced.goto(page.url());
    await reduced.waitForSelector('#decision[data-state]');
    assert.equal(await reduced.evaluate(() => document.getAnimations().length), 0, 'no animation under prefers-reduced-motion');
  } finally {
    await browser.close();
  }
});
