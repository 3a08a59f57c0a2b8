// screenshots.mjs — the README's screenshots, taken from the real page on
// the simulated council: desktop, phone, Japanese, two rounds, a
// conversation. Run by web/e2e_test.go (TestScreenshots):
//
//   MAGI_SCREENSHOTS=docs/screenshots go test ./web -run TestScreenshots
//
// Each picture is checked before it is written: the decision, the tally
// and the votes in view, the answers open at their first line.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SIM, SAGES, SHOTS, launch, open, post, settled, waitDecision } from './helpers.mjs';

const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };

/** Asserts that the page shows a finished deliberation a person can read at a glance, then saves it. */
async function save(page, name, height) {
  await page.evaluate(() => window.scrollTo(0, 0));
  const seen = await page.evaluate((ids) => {
    const inView = (el) => { const r = el?.getBoundingClientRect(); return Boolean(r) && r.height > 0 && r.top >= 0 && r.bottom <= innerHeight; };
    return {
      banner: inView(document.querySelector('#decision-word')) || inView(document.querySelector('#decision-chip')),
      votes: ids.filter((id) => inView(document.querySelector(`.plate-${id} .plate-state`))).length,
      starts: ids.every((id) => document.querySelector(`.plate-${id} .plate-text`).scrollTop === 0),
      raw: document.body.innerText.includes('"decision"'),
    };
  }, SAGES);
  assert.ok(seen.banner, `${name}: the decision is in view`);
  if (height >= 700 && page.viewportSize().width > 1000) assert.equal(seen.votes, 3, `${name}: the three votes are in view`);
  assert.ok(seen.starts, `${name}: the answers open at their first line`);
  assert.equal(seen.raw, false, `${name}: no raw verdict JSON`);
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

const rounds = await post({ question: 'Should we adopt a four-day work week?', rounds: 2 }, SIM);
await settled(rounds, SIM);
// The first picture a reader sees: one round, the plainest screen.
const library = await post({ question: 'Should the city open its public libraries on Sundays?', rounds: 1 }, SIM);
await settled(library, SIM);
// In Japanese, the simulated sages answer in Japanese too.
const japanese = await post({ question: '週休3日制を導入すべきでしょうか？', rounds: 2 }, SIM);
await settled(japanese, SIM);
// A conversation of its own, so that the first picture is one question.
const bridge = await post({ question: 'Should the town build a second bridge over the river?' }, SIM);
await settled(bridge, SIM);
const follow = await post({ question: 'Then how should the town pay for it?', follow_up: bridge }, SIM);
await settled(follow, SIM);

const browser = await launch();
try {
  const shots = [
    ['desktop', library, 'en', DESKTOP],
    ['rounds', rounds, 'en', DESKTOP],
    ['conversation', follow, 'en', DESKTOP],
    ['japanese', japanese, 'ja', DESKTOP],
    ['phone', library, 'en', PHONE],
  ];
  for (const [name, id, lang, size] of shots) {
    const page = await open(browser, { lang, ...size });
    await page.goto(`${SIM}/d/${id}`);
    await waitDecision(page);
    await page.waitForSelector('#history .history-item');
    if (name === 'conversation') await page.waitForSelector('#thread .turn');
    await save(page, name, size.height);
    await page.close();
  }
} finally {
  await browser.close();
}
console.log(`screenshots written to ${SHOTS}`);
