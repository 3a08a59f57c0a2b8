// rounds.test.mjs — a debate of two rounds on the simulated council (the
// README's question splits in round 1): the round in progress on the
// plates, earlier rounds readable through keyboard-accessible tabs, a
// changed vote shown as the change, the decision the moment the votes make
// it (awaiting SOLOMON), every call of every round in the trace, the note;
// and the same at phone width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SIM, SAGES, launch, watch, ask, waitDecision, rawText, shot, api } from './helpers.mjs';

const README = 'Should we adopt a four-day work week?';
const KANJI = { APPROVED: '承認', REJECTED: '否決', CONDITIONAL: '条件付', ABSTAINED: '棄権' };
const skip = SIM ? false : 'MAGI_SIM_URL not set';

/** Records every state of the decision banner and of the plates' round tabs, in the page. */
async function recordBanner(context) {
  await context.addInitScript(() => {
    window.__banner = [];
    window.__liveRounds = new Set();
    const look = () => {
      const d = document.querySelector('#decision');
      if (!d) return;
      const snap = `${d.dataset.state}|${d.dataset.tally || ''}|${document.querySelector('#decision-word').textContent}|${d.querySelector('.awaiting')?.textContent || ''}`;
      if (window.__banner.at(-1) !== snap) window.__banner.push(snap);
      for (const tab of document.querySelectorAll('.round-tab[data-live="true"]')) window.__liveRounds.add(tab.dataset.round);
    };
    new MutationObserver(look).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

test('two rounds on the simulated council: round tabs, changed votes, the tally before SOLOMON, the trace', { skip }, async () => {
  const browser = await launch();
  try {
    await recordBanner(browser.context);
    const page = await browser.context.newPage();
    const seen = watch(page, SIM);
    await page.goto(`${SIM}/`);
    const id = await ask(page, README);
    const decision = await waitDecision(page);
    const rec = await api(`/api/deliberations/${id}`, SIM);
    assert.equal(rec.rounds.length, 2, 'the README question splits in round 1 and runs two rounds');
    assert.equal(decision, rec.decision);

    // The decision showed the moment the votes made it, marked as awaiting SOLOMON's judgement.
    const states = await page.evaluate(() => window.__banner);
    const tally = states.find((s) => s.startsWith('tally|'));
    assert.ok(tally, `the banner never showed the tally: ${JSON.stringify(states)}`);
    const [, tallied, word, awaiting] = tally.split('|');
    assert.equal(tallied, rec.decision, 'the tally is the decision');
    assert.ok(word.includes(KANJI[rec.decision]) && /AWAITING SOLOMON/.test(awaiting), `tally banner: ${tally}`);
    assert.ok(states.indexOf(tally) < states.findIndex((s) => s.startsWith(`${rec.decision}|`)), 'the tally came before the final decision');
    assert.deepEqual(await page.evaluate(() => [...window.__liveRounds].sort()), ['2'], 'round 2 was shown in progress on the plates');

    // Every sage's plate has a tab per round and shows the final round.
    for (const [i, sage] of SAGES.entries()) {
      const tabs = await page.$$eval(`.plate-${sage} .round-tab`, (ts) => ts.map((t) => [t.textContent, t.getAttribute('aria-selected')]));
      assert.deepEqual(tabs, [['R1', 'false'], ['R2', 'true']], `${sage} tabs`);
      assert.equal(await page.$eval(`.plate-${sage}`, (el) => el.dataset.state), rec.rounds[1].agents[i].verdict.decision);
    }

    // A changed vote is shown as the change, e.g. 否決 → 条件付.
    const changed = rec.rounds[1].agents.filter((a) => a.verdict.changed_from);
    assert.ok(changed.length > 0, 'the simulated sages change a vote on the README question');
    for (const a of changed) {
      const shown = await page.$eval(`.plate-${a.id} .plate-verdict`, (el) => el.textContent);
      assert.ok(shown.startsWith(`${KANJI[a.verdict.changed_from]}→${KANJI[a.verdict.decision]}`), `${a.id} shows the change: ${shown}`);
    }

    // Earlier rounds stay readable, with the keyboard.
    const a = changed[0];
    const i = SAGES.indexOf(a.id);
    await page.focus(`.plate-${a.id} .round-tab[aria-selected="true"]`);
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.$eval(`.plate-${a.id}`, (el) => el.dataset.round), '1');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'R1', 'focus follows the selected tab');
    assert.equal(await page.$eval(`.plate-${a.id}`, (el) => el.dataset.state), a.verdict.changed_from, 'round 1 shows the vote before the change');
    assert.equal(await rawText(page, a.id), rec.rounds[0].agents[i].text, 'the reader shows round 1 text');
    await page.focus(`.plate-${a.id} .round-tab[aria-selected="true"]`);
    await page.keyboard.press('End');
    assert.equal(await page.$eval(`.plate-${a.id}`, (el) => el.dataset.round), '2');
    assert.equal(await rawText(page, a.id), rec.agents[i].text, 'the reader shows the final text');

    // The banner explains the outcome.
    assert.ok(rec.note.includes('changed'), rec.note);
    assert.ok((await page.textContent('#decision')).includes(rec.note), 'the banner shows the note');
    assert.ok((await page.textContent('#decision')).includes('ROUNDS 2/2'));
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'rounds');

    // The trace lists every call of every round.
    await page.click('#tab-trace');
    const rows = await page.$$eval('#trace tbody tr', (trs) => trs.map((tr) => `${tr.dataset.agent}@${tr.dataset.round}`));
    assert.deepEqual(rows, ['melchior@1', 'balthasar@1', 'casper@1', 'melchior@2', 'balthasar@2', 'casper@2', 'solomon@2']);
    await shot(page, 'rounds-trace');

    assert.deepEqual(seen.errors, [], 'no page errors');
    assert.deepEqual(seen.console, [], 'no console errors');
  } finally {
    await browser.close();
  }
});

test('two rounds at phone width: the round tabs fit and work', { skip }, async () => {
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${SIM}/`);
    await page.selectOption('#rounds', '2');
    const id = await ask(page, README);
    await waitDecision(page);
    const rec = await api(`/api/deliberations/${id}`, SIM);
    assert.equal(rec.max_rounds, 2);
    for (const sage of SAGES) {
      const boxes = await page.$$eval(`.plate-${sage} .round-tab`, (ts) => ts.map((t) => t.getBoundingClientRect()).map((r) => ({ left: r.left, right: r.right })));
      assert.equal(boxes.length, 2, `${sage} has two round tabs`);
      for (const b of boxes) assert.ok(b.left >= 0 && b.right <= 390, `${sage}'s tabs within the width: ${JSON.stringify(b)}`);
    }
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scrolling');
    await page.click('.plate-melchior .round-tab[data-round="1"]');
    assert.equal(await page.$eval('.plate-melchior', (el) => el.dataset.state), rec.rounds[0].agents[0].verdict.decision);
    await page.locator('.plate-melchior').scrollIntoViewIfNeeded();
    await shot(page, 'phone-rounds');
  } finally {
    await browser.close();
  }
});
