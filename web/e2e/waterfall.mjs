// waterfall.mjs — draws the spans of one trace, as an OTLP collector
// received them (internal/fakeotlp's JSON), as a tracing UI's waterfall:
// one row per span, nested under its parent, its bar where it ran. The
// browser test renders it to docs' picture of a real trace; from the
// command line it draws a trace that `go run ./internal/fakeotlp/cmd/fakeotlp
// -json spans.json` received:
//
//   node web/e2e/waterfall.mjs spans.json trace.png [TRACE_ID]
//
// (the last deliberation's trace unless TRACE_ID is given).
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch } from './helpers.mjs';

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
/** ms is a time of the collector's JSON (RFC 3339, nanoseconds) in milliseconds, fraction kept. */
const ms = (t) => {
  const frac = /\.(\d+)/.exec(t);
  return Date.parse(t.replace(/\.\d+/, '')) + (frac ? Number(frac[1].padEnd(9, '0')) / 1e6 : 0);
};
const secs = (d) => (d < 1 ? `${Math.round(d * 1000)} µs` : d < 1000 ? `${Math.round(d)} ms` : `${(d / 1000).toFixed(2)} s`);

/** tree orders spans depth first, each parent before its children, siblings by start. */
export function tree(spans) {
  const ids = new Set(spans.map((s) => s.SpanID));
  const kids = new Map();
  for (const s of spans) {
    const p = ids.has(s.ParentID) ? s.ParentID : '';
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p).push(s);
  }
  const out = [];
  const walk = (parent, depth) => {
    for (const s of (kids.get(parent) || []).sort((a, b) => ms(a.Start) - ms(b.Start))) {
      out.push({ span: s, depth });
      walk(s.SpanID, depth + 1);
    }
  };
  walk('', 0);
  return out;
}

/** What a row says of its span beyond its name: the attributes that matter. */
function detail(s) {
  const a = s.Attrs || {};
  if (s.Name === 'magi.deliberate') return `${a['magi.decision'] || ''} · ${a['magi.rounds']} rounds · ${a['magi.status']} · council ${a['magi.council']}`;
  if (s.Name.startsWith('chat ')) {
    const ttfc = a['gen_ai.response.time_to_first_chunk'];
    return `${String(a['magi.agent']).toUpperCase()} R${a['magi.round']} #${a['magi.attempt']} · ${a['gen_ai.provider.name']} · ` +
      `${a['gen_ai.usage.input_tokens']}→${a['gen_ai.usage.output_tokens']} tok${ttfc ? ` · first chunk ${secs(ttfc * 1000)}` : ''}` +
      `${a['error.type'] ? ` · ${a['error.type']}` : ''}`;
  }
  if (s.Name === 'magi.store.write') return a['magi.write.create'] ? 'create' : (a['magi.write.types'] || []).join(', ');
  if (s.Name === 'magi.stream') return `${a['magi.stream.events']} events · ${a['magi.stream.bytes']} bytes`;
  if (a['url.full']) return new URL(a['url.full']).pathname + (a['http.response.status_code'] ? ` · ${a['http.response.status_code']}` : '');
  return '';
}

const KIND = (name) => (name === 'magi.deliberate' ? 'delib' : name.startsWith('chat ') ? 'chat'
  : name === 'magi.store.write' ? 'store' : name === 'magi.stream' ? 'stream' : 'http');

/** waterfall returns a whole HTML page drawing spans. */
export function waterfall(spans) {
  const rows = tree(spans);
  const t0 = Math.min(...spans.map((s) => ms(s.Start)));
  const t1 = Math.max(...spans.map((s) => ms(s.End)));
  const span = Math.max(1, t1 - t0);
  const root = rows[0]?.span || {};
  const step = [100, 250, 500, 1000, 2000, 5000].find((st) => span / st <= 10) || 10000;
  let ticks = '';
  for (let t = 0; t <= span; t += step) ticks += `<span class="tick" style="left:${(100 * t) / span}%">${t ? secs(t) : "0"}</span>`;
  const body = rows.map(({ span: s, depth }) => {
    const left = (100 * (ms(s.Start) - t0)) / span;
    const width = Math.max(0.15, (100 * (ms(s.End) - ms(s.Start))) / span);
    const err = s.StatusCode === 2 ? ' err' : '';
    return `<div class="row"><div class="label" style="padding-left:${8 + depth * 16}px"><b>${esc(s.Name)}</b> <span>${esc(detail(s))}</span></div>` +
      `<div class="lane"><div class="bar ${KIND(s.Name)}${err}" style="left:${left}%;width:${width}%"></div></div>` +
      `<div class="dur">${secs(ms(s.End) - ms(s.Start))}</div></div>`;
  }).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><style>
  body { margin: 0; background: #0d1117; color: #d6dde6; font: 12px/1.2 "DejaVu Sans Mono", monospace; }
  header { padding: 12px 14px 8px; border-bottom: 1px solid #2a3340; }
  header h1 { margin: 0 0 4px; font-size: 15px; color: #f0a030; letter-spacing: 0.04em; }
  header p { margin: 0; color: #8b98a8; }
  .axis, .row { display: grid; grid-template-columns: 560px 1fr 76px; }
  .axis { height: 20px; border-bottom: 1px solid #2a3340; color: #8b98a8; }
  .axis .lane, .row .lane { position: relative; margin-right: 8px; }
  .tick { position: absolute; top: 4px; transform: translateX(-50%); font-size: 11px; white-space: nowrap; }
  .row { height: 22px; border-bottom: 1px solid #161c24; }
  .row:hover { background: #141a22; }
  .label { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; align-self: center; }
  .label b { font-weight: 600; color: #e7edf4; }
  .label span { color: #8b98a8; }
  .bar { position: absolute; top: 5px; height: 12px; border-radius: 2px; min-width: 2px; }
  .dur { align-self: center; text-align: right; padding-right: 12px; color: #8b98a8; font-size: 11px; }
  .delib { background: #f0a030; } .chat { background: #2fb3a3; } .http { background: #5878a8; }
  .store { background: #9a6fd0; } .stream { background: #c0c8d2; } .err { background: #e0524a; }
  </style></head><body>
  <header><h1>TRACE ${esc(root.TraceID || '')}</h1>
  <p>service ${esc((root.Resource || {})['service.name'] || '')} · ${spans.length} spans · ${secs(span)} ·
  exported by magi serve over OTLP/HTTP, as received by a collector</p></header>
  <div class="axis"><div></div><div class="lane">${ticks}</div><div></div></div>
  ${body}
  </body></html>`;
}

/** render draws spans to a PNG at path, on a page of its own in context. */
export async function render(context, spans, path) {
  await mkdir(dirname(path), { recursive: true });
  const pic = await context.newPage();
  try {
    await pic.setViewportSize({ width: 1400, height: 900 });
    await pic.setContent(waterfall(spans));
    const height = await pic.evaluate(() => document.body.scrollHeight);
    await pic.setViewportSize({ width: 1400, height: Math.min(1600, height) });
    await pic.screenshot({ path });
  } finally {
    await pic.close();
  }
}

/** ofTrace returns the spans of trace id, or of the last deliberation's trace when id is empty. */
export function ofTrace(spans, id) {
  const trace = id || spans.findLast((s) => s.Name === 'magi.deliberate')?.TraceID;
  return { trace, spans: trace ? spans.filter((s) => s.TraceID === trace) : [] };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, out, id] = process.argv.slice(2);
  if (!file || !out) {
    console.error('usage: node web/e2e/waterfall.mjs SPANS.json OUT.png [TRACE_ID]');
    process.exit(2);
  }
  const { trace, spans } = ofTrace(JSON.parse(await readFile(file, 'utf8')), id);
  if (!spans.length) {
    console.error(`${file}: no span of ${trace ? `trace ${trace}` : 'a deliberation (magi.deliberate)'}`);
    process.exit(1);
  }
  const browser = await launch();
  try {
    await render(browser.context, spans, out);
  } finally {
    await browser.close();
  }
  console.log(`${out}: trace ${trace}, ${spans.length} spans`);
}
