// resume.test.mjs — a stream cut in the middle of an event: the page
// reconnects with Last-Event-ID (header and query), drops the events it
// already applied when the server repeats some, and ends with exactly the
// stored text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, SAGES, launch, watch, ask, waitDecision, rawText, api } from './helpers.mjs';

const EVENTS = /\/api\/deliberations\/[^/]+\/events/;

test('cut stream: reconnects after the last applied event, applies nothing twice', async () => {
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    const seen = watch(page);
    const requests = [];
    await page.route(EVENTS, async (route) => {
      const req = route.request();
      requests.push({ url: req.url(), lastEventID: req.headers()['last-event-id'] });
      if (requests.length === 1) {
        // The first connection delivers 40 events, then half of one, then drops.
        const body = await (await route.fetch()).text();
        const blocks = body.split('\n\n').filter((b) => b.includes('data:'));
        const cut = `${blocks.slice(0, 40).join('\n\n')}\n\n${blocks[40].slice(0, 30)}`;
        await route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: cut });
      } else if (requests.length === 2) {
        // The reconnect is answered from 10 events earlier: an overlap the page must drop.
        const last = Number(req.headers()['last-event-id']);
        const url = new URL(req.url());
        url.searchParams.set('last_event_id', String(last - 10));
        await route.fulfill({ response: await route.fetch({ url: url.href, headers: { ...req.headers(), 'last-event-id': String(last - 10) } }) });
      } else {
        await route.continue();
      }
    });
    await page.goto(`${BASE}/`);
    const id = await ask(page, 'Should the museum stay open late on Fridays? [slow]');
    assert.equal(await waitDecision(page), 'CONDITIONAL');

    assert.ok(requests.length >= 2, `the page reconnected: ${JSON.stringify(requests)}`);
    assert.equal(requests[0].lastEventID, undefined, 'the first connection starts from the beginning');
    const second = requests[1];
    assert.equal(second.lastEventID, '40', 'resumes after the last complete event');
    assert.equal(new URL(second.url).searchParams.get('last_event_id'), '40', 'the query names the same event');

    const record = await api(`/api/deliberations/${id}`);
    for (const agent of [...SAGES, 'solomon']) {
      assert.equal(await rawText(page, agent), record.agents.find((a) => a.id === agent).text, `${agent}: no text lost or repeated`);
    }
    assert.deepEqual(seen.errors, [], 'no page errors');
  } finally {
    await browser.close();
  }
});
