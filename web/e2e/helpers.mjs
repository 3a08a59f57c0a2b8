// helpers.mjs — shared by the browser tests: the browser, a watched page,
// and small waits. Run by web/e2e_test.go (TestBrowser) with MAGI_URL set.
import { chromium } from 'playwright-core';
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BASE = process.env.MAGI_URL || 'http://127.0.0.1:8080';
export const SIM = process.env.MAGI_SIM_URL || '';
export const SHOTS = process.env.MAGI_SCREENSHOTS || new URL('./screenshots', import.meta.url).pathname;
export const fixtures = process.env.MAGI_FIXTURES ? JSON.parse(await readFile(process.env.MAGI_FIXTURES, 'utf8')) : { slow: {}, exfil: '' };
export const SAGES = ['melchior', 'balthasar', 'casper'];

/** Launches Debian's chromium headless with a fresh profile; never downloads a browser. */
export async function launch() {
  const profile = await mkdtemp(join(tmpdir(), 'magi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1366, height: 768 },
    locale: 'en-US',
    reducedMotion: 'reduce',
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * watch records what must never happen on a page: dialogs (alert from
 * injected script), page errors, console errors, CSP violations and
 * requests leaving the origin.
 */
export function watch(page, origin = BASE) {
  const seen = { dialogs: [], errors: [], console: [], csp: [], offsite: [] };
  page.on('dialog', (d) => { seen.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') seen.console.push(m.text()); });
  page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) seen.offsite.push(r.url()); });
  page.on('framenavigated', () => {});
  return seen;
}

/** Records CSP violations inside the page (must run before navigation). */
export async function recordCSP(context) {
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

/** Asks a question through the form (Enter submits) and waits for /d/{id}. */
export async function ask(page, question, rule = 'majority') {
  await page.selectOption('#rule', rule);
  await page.fill('#question', question);
  await page.press('#question', 'Enter');
  await page.waitForURL(/\/d\/[^/]+$/);
  return decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
}

/** The text lengths of the three sages' panels. */
export function lengths(page) {
  return page.evaluate((ids) => ids.map((id) => document.querySelector(`.plate-${id} .plate-text`).textContent.length), SAGES);
}

/** Waits until the decision banner shows a decision. */
export async function waitDecision(page, timeout = 60000) {
  await page.waitForFunction(() => /APPROVED|REJECTED|CONDITIONAL|ERROR/.test(document.querySelector('#decision')?.dataset.state || ''), null, { timeout });
  return page.$eval('#decision', (el) => el.dataset.state);
}

/** The raw text of an agent, as shown by the reader's RAW mode. */
export async function rawText(page, agent) {
  await page.click(`.plate-${agent} .plate-read`);
  const raw = await page.$('#reader-raw');
  if ((await raw.getAttribute('aria-pressed')) !== 'true') await raw.click();
  const text = await page.$eval('#reader-body pre.raw', (el) => el.textContent);
  await page.click('#reader-close');
  return text;
}

/** Saves a screenshot under SHOTS. */
export async function shot(page, name) {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** GETs JSON from the API (no key: the test servers have none). */
export async function api(path, base = BASE) {
  const res = await fetch(base + path);
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

const AXE = await readFile(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

/**
 * The serious and critical accessibility violations axe-core finds in the
 * page as it is (dialogs included). axe is evaluated through the debugging
 * protocol, so the page's CSP does not have to let it in. axe cannot judge
 * the contrast of text over a gradient (it reports it "incomplete"), and
 * the page's panels are gradients: for the run, each gradient is replaced
 * by its lightest colour (the worst case for light text on a dark screen),
 * so every text's contrast is measured; the page is restored after.
 */
export async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const restore = flattenGradients();
    try {
      const r = await window.axe.run(document, { resultTypes: ['violations', 'incomplete'] });
      const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} (${(n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 160)})`).join('; ')}`);
      // Contrast axe could still not measure is a failure too: it would
      // otherwise pass unseen (symbols only, such as ✕ or →, are not text).
      const unmeasured = (r.incomplete.find((v) => v.id === 'color-contrast')?.nodes || [])
        .filter((n) => !/only non-text|too short|pseudo element|obscured by another/.test(n.any.map((a) => a.message).join(' ')));
      if (unmeasured.length) bad.push(`color-contrast not measured: ${unmeasured.slice(0, 6).map((n) => `${n.target.join(' ')} (${n.any.map((a) => a.message).join(' ')})`).join('; ')}`);
      return bad;
    } finally {
      restore();
    }

    /** Replaces every background gradient by its lightest stop, over what is behind it; returns the undo. */
    function flattenGradients() {
      const undo = [];
      const rgba = (c) => (c.match(/[\d.]+/g) || []).map(Number);
      const over = ([r, g, b, a = 1], [R, G, B]) => [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a)];
      const lum = ([r, g, b]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
      const behind = (el) => {
        for (let p = el.parentElement; p; p = p.parentElement) {
          const c = rgba(getComputedStyle(p).backgroundColor);
          if (c.length === 3 || c[3] === 1) return c.slice(0, 3);
        }
        return [255, 255, 255];
      };
      for (const el of [document.documentElement, ...document.querySelectorAll('body, body *')]) {
        const cs = getComputedStyle(el);
        if (!cs.backgroundImage.includes('gradient')) continue;
        const base = over(rgba(cs.backgroundColor).concat(rgba(cs.backgroundColor).length === 3 ? [1] : []), behind(el));
        const stops = (cs.backgroundImage.match(/rgba?\([^)]*\)/g) || []).map((c) => over(rgba(c).length === 3 ? [...rgba(c), 1] : rgba(c), base));
        const lightest = stops.length ? stops.reduce((m, c) => (lum(c) > lum(m) ? c : m)) : base;
        undo.push([el, el.style.backgroundImage, el.style.backgroundColor]);
        el.style.backgroundImage = 'none';
        el.style.backgroundColor = `rgb(${lightest.map(Math.round).join(' ')})`;
      }
      return () => { for (const [el, img, col] of undo) { el.style.backgroundImage = img; el.style.backgroundColor = col; } };
    }
  });
}

/** The bounding boxes of the first element of each selector: {top, bottom, left, right, width, height}, or null. */
export function boxes(page, selectors) {
  return page.evaluate((sels) => sels.map((s) => {
    const el = document.querySelector(s);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height };
  }), selectors);
}

/** POSTs a deliberation to the API; returns its id. */
export async function post(body, base = BASE) {
  const res = await fetch(`${base}/api/deliberations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST: ${res.status} ${await res.text()}`);
  return (await res.json()).id;
}

/** Waits until deliberation id at base has ended; returns its record. */
export async function settled(id, base = BASE, timeout = 60000) {
  const until = Date.now() + timeout;
  while (Date.now() < until) {
    const r = await api(`/api/deliberations/${id}`, base);
    if (r.status !== 'running') return r;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`${id} still running after ${timeout} ms`);
}

/** Opens a new page in lang ('en' or 'ja') at the viewport size. */
export async function open(browser, { lang = 'en', width = 1366, height = 650 } = {}) {
  const page = await browser.context.newPage();
  await page.addInitScript((l) => { try { localStorage.setItem('magi.lang', l); } catch { /* about:blank */ } }, lang);
  await page.setViewportSize({ width, height });
  return page;
}

/** Waits until the page shows deliberation state (data-state of the banner) matching re. */
export async function waitBanner(page, re, timeout = 60000) {
  await page.waitForFunction((src) => new RegExp(src).test(document.querySelector('#decision')?.dataset.state || ''), re.source, { timeout });
}
