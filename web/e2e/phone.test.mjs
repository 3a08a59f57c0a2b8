// phone.test.mjs — the phone shows the answer first: on a deliberation
// link the question form is one line, a sticky chip says the decision and
// jumps to it, and the history is one tap away at the top.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, ask, waitDecision, boxes, open, settled, shot } from './helpers.mjs';

test('phone, deep link: the form folded, a sticky decision chip, the history one tap away', async () => {
  const browser = await launch();
  try {
    const first = await open(browser);
    await first.goto(`${BASE}/`);
    const id = await ask(first, 'Should the town build a second bridge?');
    await waitDecision(first);
    await settled(id);

    const page = await open(browser, { width: 390, height: 844 });
    await page.goto(`${BASE}/d/${id}`);
    const decision = await waitDecision(page);
    assert.equal(await page.isVisible('#ask'), false, 'the question form is folded');
    assert.ok(await page.isVisible('#form-open'), 'to one line');
    const [fold, chip, jump, plate] = await boxes(page, ['#form-open', '#decision-chip', '#history-jump', '.plate-melchior']);
    assert.ok(fold.height < 50, `one line: ${fold.height} px`);
    assert.ok(chip && chip.top >= 0 && chip.top < 120 && chip.height > 0, `the chip is at the top: ${JSON.stringify(chip)}`);
    assert.ok(jump.top < 120, `the history is a tap away at the top: ${JSON.stringify(jump)}`);
    assert.ok(plate.top < 844, `the first answer starts on the first screen: ${plate.top}`);
    assert.match(await page.textContent('#decision-chip'), { APPROVED: /承認/, REJECTED: /否決/, CONDITIONAL: /条件付/ }[decision]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'phone-deeplink');

    // The chip stays at the top while scrolling, and jumps to the decision.
    await page.evaluate(() => window.scrollTo(0, 900));
    const [stuck] = await boxes(page, ['#decision-chip']);
    assert.ok(Math.abs(stuck.top) < 2, `the chip is sticky: ${stuck.top}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.click('#decision-chip');
    const [banner] = await boxes(page, ['#decision-word']);
    assert.ok(banner.top >= 0 && banner.bottom <= 844, `the chip brings the decision into view: ${JSON.stringify(banner)}`);

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.click('#history-jump');
    const [hist] = await boxes(page, ['#history .history-item']);
    assert.ok(hist.top >= 0 && hist.top < 844, `one tap shows the history: ${JSON.stringify(hist)}`);

    // Unfolding the form, to ask again.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.click('#form-open');
    assert.ok(await page.isVisible('#question'), 'the form unfolds');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'question');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scrolling');
  } finally {
    await browser.close();
  }
});
