// delivery.test.mjs — a faster first load: the page, scripts and styles
// come gzipped to a browser that accepts it (never the event stream), are
// revalidated by a content ETag, and the boot sequence plays once a
// session, not on every reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, ask, waitDecision, open } from './helpers.mjs';

test('static files are gzipped when accepted, revalidated by ETag; the event stream never is', async () => {
  for (const path of ['/', '/d/x', '/js/app.js', '/js/view.js', '/css/magi.css']) {
    const res = await fetch(`${BASE}${path}`, { headers: { 'Accept-Encoding': 'gzip' } });
    await res.arrayBuffer();
    assert.equal(res.headers.get('content-encoding'), 'gzip', `${path} is gzipped`);
    assert.equal(res.headers.get('cache-control'), 'no-cache', `${path} is revalidated`);
    const again = await fetch(`${BASE}${path}`, { headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': res.headers.get('etag') } });
    assert.equal(again.status, 304, `${path}: an unchanged file costs a 304`);
    const plain = await fetch(`${BASE}${path}`, { headers: { 'Accept-Encoding': 'identity' } });
    await plain.arrayBuffer();
    assert.equal(plain.headers.get('content-encoding'), null, `${path} is sent plain to a client that asks so`);
  }
  const browser = await launch();
  try {
    const page = await open(browser);
    const encodings = {};
    page.on('response', async (r) => { encodings[new URL(r.url()).pathname] = (await r.allHeaders())['content-encoding'] || ''; });
    await page.goto(`${BASE}/`);
    const id = await ask(page, 'Is the page delivered compressed?');
    await waitDecision(page);
    for (const p of ['/', '/js/app.js', '/css/base.css']) assert.equal(encodings[p], 'gzip', `the browser got ${p} gzipped`);
    const sse = await fetch(`${BASE}/api/deliberations/${id}/events`, { headers: { 'Accept-Encoding': 'gzip', Accept: 'text/event-stream' } });
    assert.match(sse.headers.get('content-type'), /^text\/event-stream/);
    assert.equal(sse.headers.get('content-encoding'), null, 'the event stream is never compressed');
    assert.match(await sse.text(), /"type":"complete"/);
  } finally {
    await browser.close();
  }
});

/** Records in window.__booted whether the boot screen was shown at all during a load, so a slow load that outlasts the sequence still sees it. */
function watchBoot(page) {
  return page.addInitScript(() => {
    window.__booted = false;
    new MutationObserver(() => { if (document.getElementById('boot')?.hidden === false) window.__booted = true; })
      .observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['hidden'] });
  });
}

test('the boot sequence plays once a session, not on every reload', async () => {
  const browser = await launch();
  try {
    const page = await open(browser);
    await page.emulateMedia({ reducedMotion: 'no-preference' });
    await watchBoot(page);
    const booted = () => page.evaluate(() => window.__booted);
    await page.goto(`${BASE}/`);
    assert.equal(await booted(), true, 'the first load boots');
    await page.reload();
    assert.equal(await booted(), false, 'a reload does not');
    await page.goto(`${BASE}/d/x`);
    assert.equal(await booted(), false, 'nor a deep link in the same session');

    // A new tab is a new session, but under reduced motion it never boots.
    const still = await open(browser);
    await watchBoot(still);
    await still.goto(`${BASE}/`);
    assert.equal(await still.evaluate(() => sessionStorage.getItem('magi.booted')), null, 'a new session');
    assert.equal(await still.evaluate(() => window.__booted), false, 'no boot sequence under prefers-reduced-motion');
  } finally {
    await browser.close();
  }
});
