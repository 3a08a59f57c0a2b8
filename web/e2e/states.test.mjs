// states.test.mjs — states that end and errors said once: a cancelled
// deliberation shows each unfinished sage as stopped; a failed sage says
// so on its plate, in the user's words, while the trace keeps the details;
// an unknown id says "no such deliberation" with nothing to stop; every
// plate state follows the chosen language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, SAGES, launch, watch, ask, open, waitBanner, shot } from './helpers.mjs';

const MEMBERS = [...SAGES, 'solomon'];
// A Latin word of three letters or more, but for names and the words the Japanese UI keeps in Latin letters.
const ENGLISH = /\b(?!(?:MAGI|SOLOMON|MELCHIOR|BALTHASAR|CASPER|AAA|EN|MD|JSON|API|Enter|Shift)\b)[A-Za-z]{3,}\b/;

/** The plates' states and state words, and whether anything still animates. */
function look(page) {
  return page.evaluate((ids) => ({
    plates: ids.map((id) => [document.querySelector(`.plate-${id}`).dataset.state, document.querySelector(`.plate-${id} .plate-state`).textContent]),
    animating: document.getAnimations().filter((a) => a.animationName).length, // blinking and pulsing; a frame's colour change is a transition
    stop: !document.querySelector('#cancel-run').hidden,
    alert: !document.querySelector('#alert-box').hidden,
  }), MEMBERS);
}

test('cancelled: every unfinished sage is shown stopped, said once, in both languages', async () => {
  const browser = await launch();
  try {
    const page = await open(browser);
    await page.emulateMedia({ reducedMotion: 'no-preference' });
    const seen = watch(page);
    await page.goto(`${BASE}/`);
    const id = await ask(page, 'Should the museum stay open late on Fridays? [hang]');
    await page.waitForFunction(() => document.querySelector('.plate-melchior .plate-text').textContent.length > 0);
    assert.ok(await page.isVisible('#cancel-run'), 'a running deliberation can be stopped');
    await page.click('#cancel-run');
    await waitBanner(page, /ERROR/);
    const got = await look(page);
    for (const [state, word] of got.plates) {
      assert.equal(state, 'stopped', `every plate stopped: ${JSON.stringify(got.plates)}`);
      assert.equal(word, 'STOPPED');
    }
    assert.equal(await page.textContent('#decision-word'), 'CANCELLED');
    assert.equal(got.stop, false, 'nothing left to stop');
    assert.equal(got.alert, false, 'the banner says it; no alert repeats it');
    assert.ok(!(await page.evaluate(() => document.body.innerText)).includes('THINKING'), 'no sage is left thinking');
    await shot(page, 'cancelled');

    await page.click('#lang-toggle');
    const ja = await look(page);
    for (const [, word] of ja.plates) assert.equal(word, '停止');
    assert.equal(await page.textContent('#decision-word'), '中止');
    assert.doesNotMatch(await page.textContent('#decision-meta'), ENGLISH, 'the message is in Japanese');

    // A deep link to it, later: the same, with nothing animating.
    const again = await open(browser, { lang: 'en' });
    await again.emulateMedia({ reducedMotion: 'no-preference' });
    await again.goto(`${BASE}/d/${id}`);
    await waitBanner(again, /ERROR/);
    const later = await look(again);
    assert.deepEqual(later.plates.map((p) => p[0]), ['stopped', 'stopped', 'stopped', 'stopped']);
    assert.equal(later.stop, false);
    assert.deepEqual(seen.errors, []);
  } finally {
    await browser.close();
  }
});

test('a failed sage: its error on its plate in plain words, the details only in the trace', async () => {
  const browser = await launch();
  try {
    const page = await open(browser);
    await page.goto(`${BASE}/`);
    await ask(page, 'Should the school adopt a four-day week? [fail]');
    await waitBanner(page, /APPROVED|REJECTED|CONDITIONAL|ERROR/);
    const plate = await page.$eval('.plate-casper', (el) => ({ state: el.dataset.state, errors: el.querySelector('.plate-errors').innerText, text: el.innerText }));
    assert.equal(plate.state, 'ABSTAINED');
    assert.match(plate.errors, /refused the credentials/, 'the plate says what failed');
    const shown = await page.evaluate(() => document.body.innerText); // the trace tab is not open
    for (const leak of ['http://', '127.0.0.1', 'sk-test', 'invalid api key']) {
      assert.ok(!plate.text.includes(leak), `the plate does not show ${leak}: ${plate.text}`);
      assert.ok(!shown.includes(leak), `the page does not show ${leak}`);
    }
    assert.equal(await page.isVisible('#alert'), false, 'a sage\'s error is not a page-wide alert');
    // The reader opens only on text: a sage that wrote nothing has none to open.
    assert.equal(await page.isVisible('.plate-casper .plate-read'), false, 'no READ on a plate without text');
    await page.focus('.plate-casper .plate-text');
    await page.keyboard.press('Enter');
    assert.equal(await page.$eval('#reader', (d) => d.open), false, 'Enter on an empty plate opens no reader');
    assert.ok(await page.isVisible('.plate-melchior .plate-read'), 'a plate with text has its READ');
    await page.click('#tab-trace');
    const trace = await page.$eval('#trace tr[data-agent="casper"] .trace-errors', (el) => el.textContent);
    assert.match(trace, /provider_auth/, 'the trace keeps the code');
    assert.match(trace, /127\.0\.0\.1/, 'and the details, for the operator');
    await shot(page, 'failed-sage');
  } finally {
    await browser.close();
  }
});

test('an unknown id: "no such deliberation", nothing to stop, nothing spinning, in both languages', async () => {
  const browser = await launch();
  try {
    for (const [lang, words] of [['en', 'NO SUCH DELIBERATION'], ['ja', '該当する審議はありません']]) {
      const page = await open(browser, { lang });
      await page.emulateMedia({ reducedMotion: 'no-preference' });
      await page.goto(`${BASE}/d/01NOSUCHDELIBERATION0000000`);
      await waitBanner(page, /missing/);
      assert.equal(await page.textContent('#decision-word'), words);
      const got = await look(page);
      assert.equal(got.stop, false, 'no stop button');
      assert.equal(got.animating, 0, 'no spinner or blinking');
      assert.equal(got.alert, false, 'said once, by the banner');
      assert.equal(await page.isVisible('#actions'), false, 'nothing to export or delete');
      assert.equal(await page.isVisible('.plate-melchior'), false, 'no empty plates');
      await page.waitForSelector('#boot', { state: 'hidden' }); // the first load of a session boots
      await shot(page, `unknown-${lang}`);
    }
  } finally {
    await browser.close();
  }
});

test('Japanese throughout: plate states and the words around them', async () => {
  const browser = await launch();
  try {
    const page = await open(browser, { lang: 'ja' });
    await page.goto(`${BASE}/`);
    await ask(page, '図書館を日曜日に開館すべきか？ [slow]');
    await page.waitForFunction(() => document.querySelector('.plate-melchior').dataset.state === 'thinking');
    const early = await look(page);
    assert.ok(early.plates.some(([s, w]) => s === 'thinking' && w === '思考中'), `思考中: ${JSON.stringify(early.plates)}`);
    assert.ok(early.plates.some(([s, w]) => s === 'waiting' && w === '待機'), `待機: ${JSON.stringify(early.plates)}`);
    await waitBanner(page, /APPROVED|REJECTED|CONDITIONAL/);
    // Everything but the answers themselves, the question and the names is in Japanese.
    const chrome = await page.evaluate(() => {
      const parts = [...document.querySelectorAll('.topbar, .left, .plate-head, .plate-foot .plate-read, .verdict-meta, #decision, #resolution-head, .tabs, .history-meta, #trace th')];
      return parts.filter((el) => el.offsetParent !== null).map((el) => el.innerText).join('\n');
    });
    const english = chrome.split('\n').filter((line) => ENGLISH.test(line.replace(/[a-z]+\/[\w.-]+|default/g, '')));
    assert.deepEqual(english, [], 'no English words in the page\'s own labels');
    for (const [, word] of (await look(page)).plates) assert.doesNotMatch(word, /[A-Z]{3,}/, `a Japanese state word: ${word}`);
  } finally {
    await browser.close();
  }
});

/** A stored stream that ended with the fatal error code: one sage voted, one was writing, one failed. */
function endedStream(id, code) {
  const at = '2026-11-25T12:00:00.000Z';
  const events = [
    { type: 'start', question: `What happens when a deliberation ends with ${code}?`, rule: 'majority',
      agents: ['melchior', 'balthasar', 'casper', 'solomon'].map((a) => ({ id: a, name: a.toUpperCase(), provider: 'openai', model: 'fake' })) },
    { type: 'chunk', agent: 'melchior', content: 'The first line of MELCHIOR.\n\n```json\n{"decision": "APPROVED", "confidence": 0.8, "summary": "Yes.", "conditions": []}\n```' },
    { type: 'verdict', agent: 'melchior', decision: 'APPROVED', confidence: 0.8, summary: 'Yes.', conditions: [] },
    { type: 'chunk', agent: 'balthasar', content: 'BALTHASAR had begun to write when' },
    { type: 'error', agent: 'casper', code: 'provider_timeout', message: 'Post "http://10.1.2.3:11434/v1/chat/completions": context deadline exceeded', fatal: false },
    { type: 'error', code, message: 'store: dial tcp 10.9.9.9:5432: connection refused', fatal: true },
  ];
  return events.map((e, i) => `id: ${i + 1}\ndata: ${JSON.stringify({ ...e, deliberation_id: id, seq: i + 1, timestamp: at })}\n\n`).join('');
}

test('interrupted, shut down, failed: the banner says how it ended, each unfinished sage stopped or failed, no internal detail shown', async () => {
  const browser = await launch();
  const words = {
    interrupted: ['INTERRUPTED', '中断'], shutdown: ['SHUT DOWN', '停止'], internal: ['FAILED', '失敗'],
  };
  try {
    for (const [code, [en, ja]] of Object.entries(words)) {
      const id = `01ENDED${code.toUpperCase()}`;
      const page = await open(browser);
      await page.emulateMedia({ reducedMotion: 'no-preference' });
      const seen = watch(page);
      await page.route(`**/api/deliberations/${id}/events*`, (route) => route.fulfill({ status: 200, contentType: 'text/event-stream', body: endedStream(id, code) }));
      await page.goto(`${BASE}/d/${id}`);
      await waitBanner(page, /ERROR/);
      assert.equal(await page.textContent('#decision-word'), en, code);
      const got = await look(page);
      assert.deepEqual(got.plates, [['APPROVED', '承認APPROVED'], ['stopped', 'STOPPED'], ['failed', 'FAILED'], ['stopped', 'STOPPED']], code);
      assert.equal(got.stop, false, `${code}: nothing left to stop`);
      assert.equal(got.alert, false, `${code}: the banner says it; no alert repeats it`);
      assert.equal(got.animating, 0, `${code}: nothing blinks once it has ended`);
      const shown = await page.evaluate(() => document.body.innerText);
      for (const leak of ['10.9.9.9', '10.1.2.3', 'dial tcp', 'http://', 'deadline exceeded']) assert.ok(!shown.includes(leak), `${code}: the page does not show ${leak}`);
      assert.match(await page.textContent('.plate-casper .plate-errors'), /did not answer in time/);
      await page.click('#tab-trace');
      assert.match(await page.textContent('#trace'), /10\.9\.9\.9/, `${code}: the trace keeps the details for the operator`);

      await page.click('#lang-toggle');
      assert.equal(await page.textContent('#decision-word'), ja, `${code} in Japanese`);
      const jaPlates = (await look(page)).plates.map((p) => p[1]);
      assert.deepEqual(jaPlates, ['承認', '停止', '失敗', '停止'], `${code}: the plate states in Japanese`);
      assert.doesNotMatch(await page.textContent('#decision-meta'), ENGLISH, `${code}: the message is in Japanese`);
      assert.doesNotMatch(await page.textContent('.plate-casper .plate-errors'), ENGLISH, `${code}: the sage's failure is in Japanese`);
      assert.deepEqual(seen.errors, []);
      await page.close();
    }
  } finally {
    await browser.close();
  }
});
