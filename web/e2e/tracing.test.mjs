// tracing.test.mjs — a deliberation on a server that exports OpenTelemetry
// traces: the trace tab names the trace id the record keeps, and the spans
// the collector received form one tree (the deliberation, its model calls
// and their HTTP requests, its store writes), drawn as a waterfall for
// docs/OBSERVABILITY.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS, launch, watch, ask, waitDecision, shot, api } from './helpers.mjs';
import { tree, waterfall, render } from './waterfall.mjs';

const TRACED = process.env.MAGI_TRACED_URL || '';
const SPANS = process.env.MAGI_SPANS_URL || '';
const skip = TRACED && SPANS ? false : 'MAGI_TRACED_URL or MAGI_SPANS_URL not set';

test('the trace tab shows the OpenTelemetry trace id; its spans form the deliberation\'s tree', { skip }, async () => {
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    const seen = watch(page, TRACED);
    await page.goto(`${TRACED}/`);
    const id = await ask(page, '[trace] Should we plant an orchard on the north field?');
    await waitDecision(page);
    const rec = await api(`/api/deliberations/${id}`, TRACED);
    assert.match(rec.trace_id || '', /^[0-9a-f]{32}$/, 'the record keeps its trace id');

    // The trace tab names it, whole and selectable.
    await page.click('#tab-trace');
    const shown = await page.textContent('#trace .trace-id code');
    assert.equal(shown, rec.trace_id, 'the trace tab shows the record\'s trace id');
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'trace-id');

    // A replay (the history) shows it too.
    await page.goto(`${TRACED}/d/${encodeURIComponent(id)}`);
    await waitDecision(page);
    await page.click('#tab-trace');
    assert.equal(await page.textContent('#trace .trace-id code'), rec.trace_id, 'a replay shows the trace id');

    // What the collector received is one tree under the deliberation.
    const res = await fetch(`${SPANS}/spans?trace=${rec.trace_id}`);
    assert.equal(res.status, 200, 'the collector received the trace');
    const spans = await res.json();
    const rows = tree(spans);
    const root = rows[0].span;
    assert.equal(root.Name, 'magi.deliberate');
    assert.equal(root.Attrs['magi.deliberation.id'], id);
    const chats = spans.filter((s) => s.Name.startsWith('chat '));
    const calls = rec.rounds.reduce((n, r) => n + r.agents.length, 0) + 1;
    assert.equal(chats.length, calls, 'one chat span per model call');
    for (const c of chats) {
      assert.equal(c.ParentID, root.SpanID, `${c.Name} is under the deliberation`);
      assert.equal(c.Attrs['gen_ai.operation.name'], 'chat');
      assert.ok(spans.some((h) => h.ParentID === c.SpanID), `${c.Attrs['magi.agent']}'s call has its HTTP span`);
    }
    assert.ok(spans.some((s) => s.Name === 'magi.store.write' && s.ParentID === root.SpanID), 'store writes are under it');

    assert.deepEqual(seen.errors, [], 'no page errors');
    assert.deepEqual(seen.console, [], 'no console errors');

    // The waterfall, on a blank page of its own (not under MAGI's CSP).
    assert.match(waterfall(spans), /magi\.deliberate[\s\S]*chat fake/, 'the waterfall draws the deliberation, then its calls');
    await render(browser.context, spans, join(SHOTS, 'trace-waterfall.png'));
  } finally {
    await browser.close();
  }
});
