// sse.test.mjs — the UI's SSE parser, in node: the same module the page uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SSEParser, terminal } from '../static/js/stream.js';

const cases = [
  ['one event', ['id: 1\ndata: {"a":1}\n\n'], [{ id: '1', event: 'message', data: '{"a":1}' }]],
  ['CRLF split between pieces', ['id: 2\r', '\ndata: x\r\n\r', '\n'], [{ id: '2', event: 'message', data: 'x' }]],
  ['lone CR lines (a final CR waits for what follows)', ['data: a\rdata: b\r\r', ': ping\n'], [{ id: null, event: 'message', data: 'a\nb' }]],
  ['comments and pings ignored', [': ping\n\n', 'data: y\n', '\n'], [{ id: null, event: 'message', data: 'y' }]],
  ['field without space', ['id:9\ndata:z\n\n'], [{ id: '9', event: 'message', data: 'z' }]],
  ['incomplete event waits', ['data: partial\n'], []],
  ['event split mid-line', ['da', 'ta: {"seq"', ':3}\n', '\n'], [{ id: null, event: 'message', data: '{"seq":3}' }]],
];

for (const [name, pieces, want] of cases) {
  test(`SSEParser: ${name}`, () => {
    const p = new SSEParser();
    const got = pieces.flatMap((s) => p.feed(s));
    assert.deepEqual(got, want);
  });
}

test('SSEParser: id persists across events, retry is read', () => {
  const p = new SSEParser();
  const got = p.feed('retry: 1500\nid: 4\ndata: a\n\ndata: b\n\n');
  assert.deepEqual(got.map((e) => e.id), ['4', '4']);
  assert.equal(p.retry, 1500);
});

test('terminal: complete and fatal errors end a stream, nothing else does', () => {
  assert.equal(terminal({ type: 'complete' }), true);
  assert.equal(terminal({ type: 'error', fatal: true }), true);
  assert.equal(terminal({ type: 'error', fatal: false }), false);
  assert.equal(terminal({ type: 'chunk' }), false);
});
