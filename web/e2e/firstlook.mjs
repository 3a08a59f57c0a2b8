// firstlook.mjs — screenshots of every screen at three sizes, in English
// and Japanese, for a person to look at (not a test). Run against a sim
// server: MAGI_SIM_URL=http://127.0.0.1:8099 MAGI_SLOW_URL=... node web/e2e/firstlook.mjs
import { launch, shot } from './helpers.mjs';

const FAST = process.env.MAGI_SIM_URL || 'http://127.0.0.1:8099';
const SLOW = process.env.MAGI_SLOW_URL || 'http://127.0.0.1:8098';
const ALL = { laptop: { width: 1366, height: 650 }, wide: { width: 1920, height: 1080 }, phone: { width: 390, height: 844 } };
const SIZES = Object.fromEntries(Object.entries(ALL).filter(([k]) => !process.env.LOOK_SIZES || process.env.LOOK_SIZES.split(',').includes(k)));
const LANGS = process.env.LOOK_LANGS ? process.env.LOOK_LANGS.split(',') : ['en', 'ja'];

async function post(base, path, body) {
  const res = await fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

async function done(base, id) {
  for (;;) {
    const r = await (await fetch(`${base}/api/deliberations/${id}`)).json();
    if (r.status !== 'running') return r;
    await new Promise((ok) => setTimeout(ok, 200));
  }
}

const two = await post(FAST, '/api/deliberations', { question: 'Should we adopt a four-day work week?' });
await done(FAST, two.id);
const follow = await post(FAST, '/api/deliberations', { question: 'How should we measure whether it works?', follow_up: two.id });
await done(FAST, follow.id);
const long = 'Our municipal library board is debating whether to open every branch on Sundays. '.repeat(6) + 'Should we?';
const longD = await post(FAST, '/api/deliberations', { question: long });
await done(FAST, longD.id);

const browser = await launch();
for (const lang of LANGS) {
  for (const [size, vp] of Object.entries(SIZES)) {
    const page = await browser.context.newPage();
    await page.addInitScript((l) => localStorage.setItem('magi.lang', l), lang);
    await page.setViewportSize(vp);
    const name = (s) => `look-${s}-${size}-${lang}`;
    await page.goto(`${FAST}/`);
    await page.waitForTimeout(1200);
    await shot(page, name('start'));
    await page.goto(`${FAST}/d/${two.id}`);
    await page.waitForFunction(() => /APPROVED|REJECTED|CONDITIONAL/.test(document.querySelector('#decision').dataset.state));
    await page.waitForTimeout(300);
    await shot(page, name('rounds'));
    await page.screenshot({ path: `${process.env.MAGI_SCREENSHOTS || 'web/e2e/screenshots'}/${name('rounds-full')}.png`, fullPage: true });
    await page.goto(`${FAST}/d/${longD.id}`);
    await page.waitForFunction(() => /APPROVED|REJECTED|CONDITIONAL/.test(document.querySelector('#decision').dataset.state));
    await page.waitForTimeout(300);
    await shot(page, name('long'));
    await page.goto(`${FAST}/d/${follow.id}`);
    await page.waitForFunction(() => /APPROVED|REJECTED|CONDITIONAL/.test(document.querySelector('#decision').dataset.state));
    await page.waitForTimeout(500);
    await shot(page, name('conversation'));
    await page.goto(`${FAST}/d/NO-SUCH-ID`);
    await page.waitForTimeout(1000);
    await shot(page, name('unknown'));
    // live and cancelled on the slow server
    const live = await post(SLOW, '/api/deliberations', { question: 'Should the city open a public library on Sundays?' });
    await page.goto(`${SLOW}/d/${live.id}`);
    await page.waitForTimeout(2500);
    await shot(page, name('live'));
    await post(SLOW, `/api/deliberations/${live.id}/cancel`, {});
    await page.waitForTimeout(1000);
    await shot(page, name('cancelled'));
    // council editor with an error
    await page.goto(`${FAST}/`);
    await page.waitForTimeout(800);
    await page.click('#council-new');
    await page.waitForSelector('#council-editor[open]');
    await page.fill('#ce-name', 'Bad Name!');
    await page.click('#ce-save');
    await page.waitForTimeout(500);
    await shot(page, name('council'));
    await page.close();
  }
}
await browser.close();
console.log('ids', two.id, follow.id, longD.id);
