// councils.test.mjs — saved councils on the simulated council: one saved
// with the CLI (frugal, by web/e2e_test.go) is picked next to the rule and
// its personas take effect in the simulated text; the editor shows each
// problem beside its field, saves an edit, makes and deletes a council.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SIM, launch, watch, ask, waitDecision, shot, api } from './helpers.mjs';

const skip = SIM ? false : 'MAGI_SIM_URL not set';
const ACCOUNTANT = 'You are the accountant of the council. You weigh every proposal by its cost and its payback period.';

/** Waits for the editor to close. */
function closed(page) {
  return page.waitForFunction(() => !document.querySelector('#council-editor').open);
}

/** Opens the page and waits for the council picker to offer frugal. */
async function open(browser) {
  const page = await browser.context.newPage();
  const seen = watch(page, SIM);
  await page.goto(`${SIM}/`);
  await page.waitForSelector('#council-row:not([hidden]) #council option[value="frugal"]', { state: 'attached' });
  return { page, seen };
}

test('a saved council: picked next to the rule, its personas in the simulated text, named on the plates', { skip }, async () => {
  const browser = await launch();
  try {
    const { page, seen } = await open(browser);
    const options = await page.$$eval('#council option', (os) => os.map((o) => [o.value, o.textContent]));
    assert.deepEqual(options, [['default', 'DEFAULT (SERVER)'], ['frugal', 'frugal (SHARED)']]);
    await page.selectOption('#council', 'frugal');
    const id = await ask(page, 'Should we buy a new printer for the office?');
    await waitDecision(page);
    const rec = await api(`/api/deliberations/${id}`, SIM);
    assert.equal(rec.council.name, 'frugal');
    assert.equal(rec.agents[0].model, 'sim-frugal', "MELCHIOR answered on its council's model");

    // The personas took effect: each simulated agent of the council quotes its brief.
    const melchior = await page.textContent('.plate-melchior .plate-text');
    assert.ok(melchior.includes(`My brief in this council: “${ACCOUNTANT}”`), melchior.slice(0, 400));
    assert.ok((await page.textContent('.plate-casper .plate-text')).includes('You ask what it costs per year, and who pays for it.'));
    assert.ok((await page.textContent('.plate-solomon .plate-text')).includes("My brief as this council's judge"));
    assert.ok(!(await page.textContent('.plate-balthasar .plate-text')).includes('My brief'), 'BALTHASAR keeps the built-in persona');

    // The plates and the status fields say which council and model answered; so does the history.
    assert.equal(await page.textContent('.plate-melchior .plate-model'), 'frugal · sim/sim-frugal');
    assert.equal(await page.getAttribute('.plate-casper', 'data-council'), 'frugal');
    assert.equal(await page.textContent('#f-council'), 'FRUGAL');
    await page.waitForFunction((i) => document.querySelector(`#history a[data-id="${i}"]`)?.textContent.includes('frugal'), id);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'council');

    // The choice is remembered; the built-in council is named on its plates too.
    await page.goto(`${SIM}/`);
    await page.waitForSelector('#council option[value="frugal"]', { state: 'attached' });
    assert.equal(await page.$eval('#council', (s) => s.value), 'frugal');
    await page.selectOption('#council', 'default');
    const plain = await ask(page, 'Should we buy a new printer for the lab?');
    await waitDecision(page);
    assert.equal((await api(`/api/deliberations/${plain}`, SIM)).council.name, 'default');
    assert.ok(!(await page.textContent('.plate-melchior .plate-text')).includes('My brief'));
    assert.deepEqual(seen.errors, [], 'no page errors');
    assert.deepEqual(seen.console, [], 'no console errors');
  } finally {
    await browser.close();
  }
});

test('the council editor: a problem beside its field, nothing saved; then an edit that takes effect', { skip }, async () => {
  const browser = await launch();
  try {
    const { page, seen } = await open(browser);
    await page.selectOption('#council', 'frugal');
    await page.click('#council-edit');
    await page.waitForSelector('#council-editor[open]');
    assert.equal(await page.$eval('#ce-name', (el) => [el.value, el.readOnly].join()), 'frugal,true');
    assert.equal(await page.inputValue('#ce-melchior-persona'), ACCOUNTANT);
    assert.equal(await page.inputValue('#ce-melchior-model'), 'sim-frugal');
    assert.ok((await page.getAttribute('#ce-balthasar-persona', 'placeholder')).startsWith('You are BALTHASAR-2'), "an agent the council leaves out shows the server's persona");

    // A temperature out of range: the server's problem is shown beside the field, and the dialog stays.
    await page.fill('#ce-casper-temperature', '5');
    await page.click('#ce-save');
    const err = page.locator('#err-agents-casper-temperature');
    await err.waitFor({ state: 'visible' });
    assert.equal(await err.textContent(), 'temperature 5 is out of range: use 0 to 2');
    assert.equal(await page.getAttribute('#ce-casper-temperature', 'aria-invalid'), 'true');
    assert.ok(await page.$eval('#council-editor', (d) => d.open), 'the editor stays open');
    assert.equal((await api('/api/councils/frugal', SIM)).agents.casper.temperature, undefined, 'nothing was saved');
    assert.ok(await err.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const body = el.closest('.ce-body').getBoundingClientRect();
      return r.top >= body.top - 1 && r.bottom <= body.bottom + 1; // within a pixel: scrolled to the nearest edge
    }), 'the problem is in view');
    await shot(page, 'council-editor-error');

    // Fixed, and another persona: saved, and the next deliberation uses it.
    await page.fill('#ce-casper-temperature', '0.4');
    await page.fill('#ce-melchior-persona', 'You are the treasurer. You ask who pays, and when.');
    await page.click('#ce-save');
    await closed(page);
    assert.equal(await page.textContent('#status'), 'Council saved.');
    const saved = await api('/api/councils/frugal', SIM);
    assert.equal(saved.agents.casper.temperature, 0.4);
    assert.equal(saved.agents.melchior.persona, 'You are the treasurer. You ask who pays, and when.');
    assert.equal(saved.agents.melchior.model, 'sim-frugal', 'what the form does not change is kept');
    await ask(page, 'Should we renew the printer lease?');
    await waitDecision(page);
    assert.ok((await page.textContent('.plate-melchior .plate-text')).includes('My brief in this council: “You are the treasurer. You ask who pays, and when.”'));
    assert.deepEqual(seen.errors, []);
  } finally {
    await browser.close();
  }
});

test('a new council from the built-in one: its name is required, then it is saved, picked and deleted', { skip }, async () => {
  const browser = await launch();
  try {
    const { page } = await open(browser);
    await page.selectOption('#council', 'default');
    await page.click('#council-edit');
    await page.waitForSelector('#council-editor[open]');
    assert.ok((await page.textContent('#ce-note')).includes('cannot be changed here'));
    assert.equal(await page.inputValue('#ce-name'), '');
    assert.ok((await page.inputValue('#ce-casper-persona')).startsWith('You are CASPER-3'), "the built-in council's personas to start from");
    await page.click('#ce-save');
    await page.locator('#err-name').waitFor({ state: 'visible' });
    assert.ok((await page.textContent('#err-name')).startsWith('name is missing'));

    await page.fill('#ce-name', 'guardians');
    await page.fill('#ce-balthasar-persona', 'You protect the children of the town first.');
    await page.selectOption('#ce-casper-provider', 'sim');
    await page.click('#ce-save');
    await closed(page);
    assert.equal(await page.$eval('#council', (s) => s.value), 'guardians', 'the new council is picked');
    const doc = await api('/api/councils/guardians', SIM);
    assert.equal(doc.agents.balthasar.persona, 'You protect the children of the town first.');
    assert.equal(doc.shared, true, 'made on the open API: shared');

    await page.click('#council-edit');
    await page.waitForSelector('#council-editor[open]');
    await page.click('#ce-delete');
    assert.equal(await page.textContent('#ce-delete'), 'CONFIRM DELETE');
    await page.click('#ce-delete');
    await closed(page);
    assert.equal(await page.$eval('#council', (s) => s.value), 'default');
    assert.ok(!(await page.$$eval('#council option', (os) => os.map((o) => o.value))).includes('guardians'));
  } finally {
    await browser.close();
  }
});

test('the council editor in Japanese, at phone width', { skip }, async () => {
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    await page.addInitScript(() => Object.defineProperty(navigator, 'language', { get: () => 'ja-JP' }));
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${SIM}/`);
    await page.waitForSelector('#council option[value="frugal"]', { state: 'attached' });
    assert.equal(await page.textContent('label[for="council"]'), '評議会');
    await page.selectOption('#council', 'frugal');
    await page.click('#council-edit');
    await page.waitForSelector('#council-editor[open]');
    assert.equal(await page.textContent('#ce-save'), '保存');
    assert.equal(await page.textContent('label[for="ce-casper-persona"]'), '人格');
    assert.ok(await page.evaluate(() => document.querySelector('#council-editor').getBoundingClientRect().right <= 390), 'the editor fits the width');
    await shot(page, 'council-editor-phone');
  } finally {
    await browser.close();
  }
});
