// clip.test.mjs — verdicts are never clipped: every line of a long
// verdict (a long summary, four long conditions), the last condition
// included, is inside its plate's angular shape and in no box that hides
// it, on a laptop, a large screen, a small laptop and a phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, SAGES, launch, ask, waitDecision, open } from './helpers.mjs';

const MEMBERS = [...SAGES, 'solomon'];

/**
 * Where the verdict of each plate is not readable: a line of it cut by the
 * plate's angular shape (hit-testing follows clip-path, so a corner of the
 * line that is cut away is not inside the plate's inner panel), or hidden in a scrolling
 * box. Each plate's verdict is scrolled into view first.
 */
async function clipped(page) {
  const out = [];
  for (const id of MEMBERS) {
    out.push(...await page.evaluate((id) => {
      const plate = document.querySelector(`.plate-${id}`);
      const inner = plate.querySelector('.plate-inner'); // the frame around it shows where the shape cuts
      const verdict = plate.querySelector('.plate-verdict');
      const bad = [];
      if (!verdict.textContent) return [`${id}: no verdict shown`];
      verdict.lastElementChild.scrollIntoView({ block: 'center' });
      for (let el = verdict; el !== plate; el = el.parentElement) {
        const cs = getComputedStyle(el);
        if (/auto|scroll|hidden/.test(cs.overflowY) && el.scrollHeight > el.clientHeight + 1) bad.push(`${id}: the verdict is in a box that hides ${el.scrollHeight - el.clientHeight} px`);
      }
      const walker = document.createTreeWalker(verdict, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(n);
        for (const r of range.getClientRects()) {
          if (r.width < 1) continue;
          for (const [x, y] of [[r.left + 1, r.top + 2], [r.right - 1, r.top + 2], [r.left + 1, r.bottom - 2], [r.right - 1, r.bottom - 2]]) {
            const hit = document.elementFromPoint(x, y);
            if (!hit || !inner.contains(hit)) bad.push(`${id}: "${n.textContent.slice(0, 40)}" is cut at (${x.toFixed(0)}, ${y.toFixed(0)})`);
          }
        }
      }
      return bad;
    }, id));
  }
  return out;
}

test('verdicts are never clipped: every line of a long verdict, the last condition included, on laptop, large screen and phone', async () => {
  const browser = await launch();
  try {
    const page = await open(browser);
    await page.goto(`${BASE}/`);
    const id = await ask(page, 'Should the city rebuild its central library? [long-verdict]');
    await waitDecision(page);
    for (const size of [{ width: 1366, height: 650 }, { width: 1920, height: 1080 }, { width: 1024, height: 700 }, { width: 390, height: 844 }]) {
      const p = await open(browser, size);
      await p.goto(`${BASE}/d/${id}`);
      await waitDecision(p);
      const last = await p.$eval('.plate-balthasar .verdict-conditions li:last-child', (el) => el.textContent);
      assert.match(last, /condition 4 of balthasar/, 'the last condition is drawn');
      assert.deepEqual(await clipped(p), [], `${size.width}×${size.height}: every line of every verdict is readable`);
      await p.close();
    }
  } finally {
    await browser.close();
  }
});
