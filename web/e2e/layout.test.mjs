// layout.test.mjs — the Japanese UI and the language switch, the phone
// layout, and the simulated-council banner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, SIM, launch, ask, waitDecision, shot } from './helpers.mjs';

test('Japanese UI from the browser language, switchable and remembered', async () => {
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    await page.addInitScript(() => Object.defineProperty(navigator, 'language', { get: () => 'ja-JP' }));
    await page.goto(`${BASE}/`);
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    assert.equal(await page.textContent('#submit'), '審議開始');
    assert.equal(await page.textContent('#tab-history'), '履歴');
    await ask(page, '図書館を日曜日に開館すべきか？');
    await waitDecision(page);
    assert.ok((await page.textContent('#decision')).includes('決議'));
    assert.ok((await page.textContent('.plate-melchior .verdict-meta')).includes('確信度'));
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'japanese');

    await page.click('#lang-toggle');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.textContent('#submit'), 'DELIBERATE');
    assert.ok((await page.textContent('.plate-melchior .verdict-meta')).includes('CONFIDENCE'));
    await page.reload();
    assert.equal(await page.textContent('#submit'), 'DELIBERATE', 'the choice is remembered over navigator.language');
  } finally {
    await browser.close();
  }
});

test('phone width: a vertical stack of sages, SOLOMON, then the decision', async () => {
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${BASE}/`);
    await ask(page, 'Should the team move to a four-day week?');
    await waitDecision(page);
    const tops = await page.evaluate(() => ['.plate-melchior', '.plate-balthasar', '.plate-casper', '.plate-solomon', '#decision']
      .map((s) => document.querySelector(s).getBoundingClientRect()).map((r) => ({ top: r.top, left: r.left, right: r.right })));
    for (let i = 1; i < tops.length; i++) assert.ok(tops[i].top > tops[i - 1].top, `stacked in order: ${JSON.stringify(tops)}`);
    for (const r of tops) assert.ok(r.left >= 0 && r.right <= 390, `within the width: ${JSON.stringify(r)}`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scrolling');
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'phone');
    await page.locator('.plate-solomon').scrollIntoViewIfNeeded();
    await shot(page, 'phone-decision');
  } finally {
    await browser.close();
  }
});

test('simulated council: an unmistakable banner', { skip: SIM ? false : 'MAGI_SIM_URL not set' }, async () => {
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    await page.goto(`${SIM}/`);
    assert.equal(await page.isVisible('#sim-banner'), false, 'no banner before any answer');
    await ask(page, 'Is this a real model?');
    await page.waitForSelector('#sim-banner', { state: 'visible' });
    const text = await page.textContent('#sim-banner');
    for (const s of ['SIMULATED', 'NO MODEL WAS CALLED', 'OPENAI_BASE_URL', 'MAGI_MODEL', 'ANTHROPIC_API_KEY', 'AWS_REGION']) {
      assert.ok(text.includes(s), `banner says ${s}: ${text}`);
    }
    await waitDecision(page);
    assert.ok(await page.isVisible('#sim-banner'), 'the banner stays');
    await shot(page, 'simulated');
  } finally {
    await browser.close();
  }
});
