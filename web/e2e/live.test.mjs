// live.test.mjs — a deliberation streams live: the three sages' text grows
// at the same time, verdicts and the decision banner appear, the trace is
// filled, and a reload mid-stream resumes without duplicating any text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, SAGES, fixtures, launch, watch, recordCSP, ask, lengths, waitDecision, rawText, shot, api } from './helpers.mjs';

const EXPECTED = { melchior: 'APPROVED', balthasar: 'CONDITIONAL', casper: 'REJECTED' };

test('live deliberation: concurrent streaming, reload resume, verdicts, banner, trace', async () => {
  const browser = await launch();
  try {
    await recordCSP(browser.context);
    const page = await browser.context.newPage();
    const seen = watch(page);
    await page.goto(`${BASE}/`);
    const id = await ask(page, 'Should the city open a public library on Sundays? [slow]');

    // Sample the panels while the fake streams slowly.
    const samples = [];
    const until = Date.now() + 20000;
    while (Date.now() < until) {
      const len = await lengths(page);
      const voted = await page.$$eval('.plate', (ps) => ps.some((p) => /[A-Z]{5}/.test(p.dataset.state)));
      if (voted) break;
      samples.push(len);
      if (samples.length >= 6 && samples.at(-1).every((n) => n > 120)) break;
      await page.waitForTimeout(150);
    }
    const grewTogether = samples.some((a, i) => i > 0 && a.every((n, k) => n > samples[i - 1][k] && samples[i - 1][k] > 0));
    assert.ok(grewTogether, `the three panels' text should grow concurrently; samples: ${JSON.stringify(samples)}`);
    assert.equal(await page.$eval('#decision', (el) => el.dataset.state), 'thinking', 'no decision before the sages finish');

    // Reload in the middle of the stream: it must resume, not repeat.
    await page.reload();
    await page.waitForFunction(() => document.querySelector('.plate-melchior .plate-text').textContent.length > 0);
    assert.match(page.url(), new RegExp(`/d/${id}$`));

    assert.equal(await waitDecision(page), 'CONDITIONAL');
    for (const [agent, verdict] of Object.entries(EXPECTED)) {
      assert.equal(await page.$eval(`.plate-${agent}`, (el) => el.dataset.state), verdict, `${agent} verdict`);
    }
    const record = await api(`/api/deliberations/${id}`);
    for (const agent of [...SAGES, 'solomon']) {
      const shown = await rawText(page, agent);
      const stored = record.agents.find((a) => a.id === agent).text;
      assert.equal(shown, stored, `${agent}: the page's text equals the stored text`);
      if (fixtures.slow[agent]) assert.equal(shown, fixtures.slow[agent], `${agent}: the page's text equals what the model sent`);
    }

    // The banner: decision, rule, tally and SOLOMON's scores, above the fold
    // (the page as it opens: the reader's buttons clicked above scrolled it).
    await page.evaluate(() => window.scrollTo(0, 0));
    const banner = await page.$eval('#decision', (el) => el.textContent);
    for (const s of ['条件付', 'CONDITIONAL', 'MAJORITY', '承認 1', '条件付 1', '否決 1', '棄権 0', 'MELCHIOR·1 81', 'BALTHASAR·2 64', 'CASPER·3 72']) {
      assert.ok(banner.includes(s), `banner shows ${s}: ${banner}`);
    }
    for (const sel of ['#decision-word', '#decision .tally']) {
      const box = await page.$eval(sel, (el) => { const r = el.getBoundingClientRect(); return { top: r.top, bottom: r.bottom }; });
      assert.ok(box.top >= 0 && box.bottom <= 768, `${sel} visible without scrolling on 1366×768: ${JSON.stringify(box)}`);
    }
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'desktop');

    // The trace view.
    await page.click('#tab-trace');
    const rows = await page.$$eval('#trace tbody tr', (trs) => trs.map((tr) => [tr.dataset.agent, ...[...tr.cells].map((c) => c.textContent)]));
    // The votes split, so the sages debate a second round: every call is listed.
    assert.equal(rows.length, 7);
    for (const row of rows) {
      assert.ok(row.some((c) => c.includes('openai / fake')), `provider and model in ${row}`);
      assert.ok(row.some((c) => /^\d+(\.\d)? (ms|s)$/.test(c)), `durations in ${row}`);
      assert.ok(row.some((c) => /^\d+ \/ \d+$/.test(c)), `tokens in ${row}`);
    }
    await shot(page, 'desktop-trace');

    assert.deepEqual(seen.errors, [], 'no page errors');
    assert.deepEqual(seen.console, [], 'no console errors');
    assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no CSP violations');
  } finally {
    await browser.close();
  }
});
