// safety.test.mjs — model output is untrusted (OWASP LLM05): markup in an
// answer stays text, no script runs, nothing is loaded from its URLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, fixtures, launch, watch, recordCSP, ask, waitDecision } from './helpers.mjs';

test('hostile answers stay inert', async () => {
  const browser = await launch();
  try {
    await recordCSP(browser.context);
    const page = await browser.context.newPage();
    const seen = watch(page);
    await page.goto(`${BASE}/`);
    await ask(page, 'Render these answers safely, please. [xss]');
    await waitDecision(page);
    await page.waitForTimeout(500);

    const dom = await page.evaluate(() => ({
      scripts: document.scripts.length,
      pwned: window.__pwned,
      media: document.querySelectorAll('main img, main iframe, main object, main embed, dialog img').length,
      hrefs: [...document.querySelectorAll('.plate-melchior .plate-text a')].map((a) => [a.href, a.rel, a.target]),
      text: document.querySelector('.plate-melchior .plate-text').textContent,
    }));
    assert.equal(dom.scripts, 1, 'only the app module script exists');
    assert.equal(dom.pwned, undefined, 'no injected script ran');
    assert.equal(dom.media, 0, 'no image, iframe or object element from model output');
    assert.deepEqual(dom.hrefs, [['https://example.com/ok', 'noopener noreferrer nofollow', '_blank']], 'only the http(s) link is a link');
    for (const s of ['<script>', '<img src=x onerror=', '[x](javascript:alert(1))', '[image: ]', '[image: leak]', '<iframe']) {
      assert.ok(dom.text.includes(s), `shown as text: ${s}`);
    }
    assert.deepEqual(seen.dialogs, [], 'no dialog opened');
    assert.deepEqual(seen.errors, [], 'no page error');
    assert.deepEqual(seen.console, [], 'no console error');
    assert.deepEqual(await page.evaluate(() => window.__csp), [], 'nothing even tried to break the CSP');
    if (fixtures.exfil) assert.deepEqual(seen.offsite.filter((u) => u.startsWith(fixtures.exfil)), [], 'no request to the exfil URL');
  } finally {
    await browser.close();
  }
});

test('markdown renderer: structure, and unsafe input as text', async () => {
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    await page.goto(`${BASE}/`);
    const out = await page.evaluate(async () => {
      const { renderMarkdown } = await import('/js/markdown.js');
      const html = (md) => { const d = document.createElement('div'); d.append(renderMarkdown(md)); return d.innerHTML; };
      return {
        heading: html('# Title'),
        list: html('- a\n- **b**\n\n1. one\n2. two'),
        code: html('```js\nlet x = "<b>";\n```'),
        inline: html('say `<i>` and *em* and _em2_ and [l](http://a.example/x "t")'),
        unsafe: html('[a](javascript:alert(1)) [b](data:text/html,x) [c](/relative) ![i](https://a.example/p.png)'),
        html: html('<b onclick="x()">bold</b>'),
        open: html('```\nstreaming, no end yet'),
      };
    });
    assert.equal(out.heading, '<h3>Title</h3>');
    assert.equal(out.list, '<ul><li>a</li><li><strong>b</strong></li></ul><ol><li>one</li><li>two</li></ol>');
    assert.equal(out.code, '<pre><code data-lang="js">let x = "&lt;b&gt;";</code></pre>');
    assert.equal(out.inline, '<p>say <code>&lt;i&gt;</code> and <em>em</em> and <em>em2</em> and <a href="http://a.example/x" rel="noopener noreferrer nofollow" target="_blank" referrerpolicy="no-referrer">l</a></p>');
    assert.equal(out.unsafe, '<p>[a](javascript:alert(1)) [b](data:text/html,x) [c](/relative) [image: i]</p>');
    assert.equal(out.html, '<p>&lt;b onclick="x()"&gt;bold&lt;/b&gt;</p>');
    assert.equal(out.open, '<pre><code>streaming, no end yet</code></pre>');
  } finally {
    await browser.close();
  }
});
