// a11y.test.mjs — axe-core on every screen, in both languages and at
// phone width: no serious or critical violation (contrast, names, roles,
// focusable scroll areas, …).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, SIM, launch, ask, waitDecision, axe, open, post, settled, waitBanner } from './helpers.mjs';

test('axe-core: no serious or critical violation on any screen', { skip: SIM ? false : 'MAGI_SIM_URL not set' }, async () => {
  const browser = await launch();
  const found = [];
  const check = async (page, name) => { for (const v of await axe(page)) found.push(`${name}: ${v}`); };
  try {
    const finished = await post({ question: 'Should we adopt a four-day work week?' }, SIM);
    await settled(finished, SIM);
    const follow = await post({ question: 'How do we measure whether it works?', follow_up: finished }, SIM);
    await settled(follow, SIM);

    for (const lang of ['en', 'ja']) {
      for (const size of [{ width: 1366, height: 650 }, { width: 390, height: 844 }]) {
        const at = `${lang} ${size.width}`;
        const page = await open(browser, { lang, ...size });
        await page.goto(`${SIM}/`);
        await page.waitForSelector('#history .history-item');
        await check(page, `start ${at}`);
        await page.goto(`${SIM}/d/${finished}`);
        await waitDecision(page);
        await check(page, `two rounds ${at}`);
        await page.goto(`${SIM}/d/${follow}`);
        await waitDecision(page);
        await page.waitForSelector('#thread .turn');
        await check(page, `conversation ${at}`);
        await page.goto(`${SIM}/d/01NOSUCHDELIBERATION0000000`);
        await waitBanner(page, /missing/);
        await check(page, `unknown id ${at}`);
        await page.close();
      }
    }

    const page = await open(browser);
    await page.goto(`${BASE}/`);
    await check(page, 'form');
    const id = await ask(page, 'Should the city open a public library on Sundays? [slow]');
    await page.waitForSelector('.plate[data-state="thinking"]');
    await check(page, 'live');
    await waitDecision(page);
    await check(page, 'finished live');
    await page.click('.plate-melchior .plate-read');
    await page.waitForSelector('#reader[open]');
    await check(page, 'reader');
    await page.click('#reader-raw');
    await check(page, 'reader raw');
    await page.click('#reader-close');
    await page.click('#tab-trace');
    await check(page, 'trace');
    await page.goto(`${BASE}/d/${id}`);
    await waitDecision(page);
    await check(page, 'deep link');

    await page.goto(`${BASE}/`);
    await ask(page, 'Should the museum stay open late? [hang]');
    await page.waitForSelector('.plate[data-state="thinking"]');
    await page.click('#cancel-run');
    await waitBanner(page, /ERROR/);
    await check(page, 'cancelled');

    const councils = await open(browser);
    await councils.goto(`${SIM}/`);
    await councils.waitForSelector('#council-row:not([hidden])');
    await check(councils, 'council picker');
    await councils.click('#council-new');
    await councils.waitForSelector('#council-editor[open]');
    await councils.fill('#ce-name', 'Bad Name!');
    await councils.click('#ce-save');
    await councils.waitForSelector('#err-name:not([hidden])');
    await check(councils, 'council editor with an error');

    const jaPhone = await open(browser, { lang: 'ja', width: 390, height: 844 });
    await jaPhone.goto(`${SIM}/`);
    await jaPhone.waitForSelector('#council-row:not([hidden])');
    await jaPhone.click('#council-edit');
    await jaPhone.waitForSelector('#council-editor[open]');
    await check(jaPhone, 'council editor ja 390');
  } finally {
    await browser.close();
  }
  assert.deepEqual(found, [], `axe-core found:\n${found.join('\n')}`);
});
