// stream.js — MAGI's event stream over fetch(): a small SSE parser, so the
// request can carry the Authorization header that EventSource cannot send,
// and a reader that resumes after a drop with Last-Event-ID and never
// applies an event twice.
import { authHeaders, errorOf } from './api.js';

/** SSEParser turns text/event-stream text, fed in any pieces, into events. */
export class SSEParser {
  constructor() {
    this.buf = '';
    this.data = [];
    this.id = null;
    this.event = '';
    this.retry = null;
  }

  /** Feeds a piece of the stream; returns the events it completed: {id, event, data}. */
  feed(text) {
    this.buf += text;
    const out = [];
    const re = /\r\n|\r|\n/g;
    let start = 0;
    let m;
    while ((m = re.exec(this.buf))) {
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (m[0] === '\r' && m.index === this.buf.length - 1) break;
      this.line(this.buf.slice(start, m.index), out);
      start = re.lastIndex;
    }
    this.buf = this.buf.slice(start);
    return out;
  }

  line(line, out) {
    if (line === '') {
      if (this.data.length) out.push({ id: this.id, event: this.event || 'message', data: this.data.join('\n') });
      this.data = [];
      this.event = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    else if (field === 'event') this.event = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
  }
}

/** terminal reports whether ev ends its stream (SPEC: complete or a fatal error). */
export function terminal(ev) {
  return ev.type === 'complete' || (ev.type === 'error' && ev.fatal === true);
}

/**
 * openStream reads a deliberation's events from url and calls onEvent for
 * each new one, in seq order, exactly once. After a drop it reconnects with
 * the last applied seq (Last-Event-ID header and ?last_event_id=); it stops
 * after the terminal event, on close(), or on an error it cannot retry
 * (reported to onFail; a 401 also calls onUnauthorized).
 * onState is told 'connecting', 'live', 'reconnecting' and 'ended'.
 */
export function openStream(url, { onEvent, onState = () => {}, onFail = () => {}, onUnauthorized = () => {} }) {
  const ctl = new AbortController();
  let last = 0;
  let done = false;
  let delay = 500;

  const apply = (msg) => {
    let ev;
    try { ev = JSON.parse(msg.data); } catch { return; }
    const seq = Number(ev.seq ?? msg.id);
    if (!(seq > last)) return; // already applied: a replay after reconnect
    last = seq;
    onEvent(ev);
    if (terminal(ev)) done = true;
  };

  const once = async () => {
    const headers = authHeaders({ Accept: 'text/event-stream' });
    let target = url;
    if (last > 0) {
      headers['Last-Event-ID'] = String(last);
      target += (url.includes('?') ? '&' : '?') + `last_event_id=${last}`;
    }
    const res = await fetch(target, { headers, signal: ctl.signal, cache: 'no-store', credentials: 'same-origin' });
    if (!res.ok) throw await errorOf(res);
    onState('live');
    const parser = new SSEParser();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done: eof } = await reader.read();
      if (eof) break;
      for (const msg of parser.feed(value)) {
        apply(msg);
        delay = 500;
        if (done) { reader.cancel().catch(() => {}); return; }
      }
      if (parser.retry) delay = parser.retry;
    }
  };

  const run = async () => {
    onState('connecting');
    while (!done && !ctl.signal.aborted) {
      try {
        await once();
      } catch (err) {
        if (ctl.signal.aborted) return;
        if (err.status === 401) { onUnauthorized(err); return; }
        if (err.status && err.status !== 429 && err.status < 500) { onFail(err); return; }
        if (err.status === 429 && err.retryAfter) delay = err.retryAfter * 1000;
      }
      if (done || ctl.signal.aborted) break;
      onState('reconnecting');
      await sleep(delay, ctl.signal);
      delay = Math.min(delay * 2, 8000);
    }
    if (done) onState('ended');
  };
  run();
  return {
    close() { ctl.abort(); },
    get lastSeq() { return last; },
  };
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
