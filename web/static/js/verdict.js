// verdict.js — splits an answer into its prose and its own verdict object,
// by the server's rule (parse_locate.go, parse_quote.go): the verdict is
// the last JSON object with a "decision" key that is not quoted — not
// inside another object, a blockquote, inline code, quotation marks or a
// sentence. The page shows the prose and the formatted verdict; the raw
// text stays one click away (the reader's RAW).

const KEY = /"decision"\s*:/g;
const MAX_OBJECT = 64 << 10;
const OPEN_QUOTES = ['"', "'", '“', '‘', '「', '『', '«', '＂'];
const CLOSE_QUOTES = ['"', "'", '”', '’', '」', '』', '»', '＂'];
const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)\s*$/;
// A last line that only announces the verdict ("## Verdict", "**Vote:**").
const LABEL = /^\s*(#{1,6}\s*)?(\*\*|__)?\s*(final\s+)?(verdict|vote|decision|評決|判定|結論)\s*[:：]?\s*(\*\*|__)?\s*[:：]?\s*$/i;

/** The end (exclusive) of the JSON object opening at text[s], or -1 when it does not close. */
function objectEnd(text, s) {
  let depth = 0;
  let inString = false;
  const stop = Math.min(text.length, s + MAX_OBJECT);
  for (let i = s; i < stop; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

/** The innermost object around offset at: {start, end}; end is -1 while it is still open. */
function enclosing(text, at) {
  for (let s = text.lastIndexOf('{', at); s >= 0; s = text.lastIndexOf('{', s - 1)) {
    const end = objectEnd(text, s);
    if (end < 0) return { start: s, end: -1 };
    if (end > at) return { start: s, end };
    if (s === 0) break;
  }
  return null;
}

const lineBefore = (text, i) => text.slice(text.lastIndexOf('\n', i - 1) + 1, i);
const lineAfter = (text, i) => { const j = text.indexOf('\n', i); return text.slice(i, j < 0 ? text.length : j); };
const word = /[\p{L}\p{N}]/u;

/** Why the object of text at [start, end) is quoted, or '' when it is the answer's own. */
function quoted(text, c, all) {
  if (all.some((o) => o !== c && o.start < c.start && c.start < o.end)) return 'nested';
  const lead = lineBefore(text, c.start).trim();
  const trail = lineAfter(text, c.end).trim();
  if (lead.startsWith('>')) return 'blockquote';
  if (FENCE.test(lead)) return '';
  if (lead.endsWith('`') || (trail.startsWith('`') && !FENCE.test(trail))) return 'code';
  if (OPEN_QUOTES.some((q) => lead.endsWith(q)) || CLOSE_QUOTES.some((q) => trail.startsWith(q))) return 'quotes';
  if (word.test(lead.slice(-1)) && word.test(trail)) return 'sentence';
  return '';
}

/** Every object of text with a "decision" key, in order: {start, end}, end -1 when open. */
function candidates(text) {
  const out = [];
  for (const m of text.matchAll(KEY)) {
    const c = enclosing(text, m.index);
    if (c && !out.some((o) => o.start === c.start)) out.push(c);
    if (out.length > 32) break;
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Widens [start, end) to a fence that holds nothing else, and to a label line right before. */
function widen(text, start, end) {
  const lead = lineBefore(text, start);
  const next = text.indexOf('\n', end);
  const after = next < 0 ? '' : lineAfter(text, next + 1);
  if (lead.trim() === '' && start > 0) {
    const open = text.lastIndexOf('\n', start - lead.length - 2);
    const fenceLine = text.slice(open + 1, start - lead.length - 1);
    const fence = FENCE.exec(fenceLine);
    const closed = FENCE.exec(after);
    if (fence && text.slice(end, next < 0 ? text.length : next).trim() === '' && (next < 0 || (closed && closed[1][0] === fence[1][0]))) {
      start = open + 1;
      end = next < 0 ? text.length : next + 1 + after.length;
    } else if (fence && next < 0) {
      start = open + 1;
    }
  }
  const before = text.slice(0, start).replace(/\s+$/, '');
  const last = before.slice(before.lastIndexOf('\n') + 1);
  if (LABEL.test(last)) start = before.length - last.length;
  return [start, end];
}

/**
 * splitVerdict returns {prose, verdict}: the answer without its own
 * verdict object (and the fence or label line around it), and that raw
 * object ('' when there is none). While an answer streams, a verdict
 * still being written at its end is left out of the prose too.
 */
export function splitVerdict(text) {
  text = String(text || '');
  const all = candidates(text);
  const own = all.filter((c) => c.end > 0 && !quoted(text, c, all.filter((o) => o.end > 0)));
  let c = own.at(-1);
  const open = all.find((o) => o.end < 0 && !lineBefore(text, o.start).trim().startsWith('>'));
  if (open && (!c || open.start > c.start)) c = { start: open.start, end: text.length };
  if (!c) return { prose: unfinishedFence(text), verdict: '' };
  const [start, end] = widen(text, c.start, c.end);
  const prose = (text.slice(0, start).replace(/\s+$/, '') + (end < text.length ? `\n\n${text.slice(end).replace(/^\s+/, '')}` : '')).trim();
  return { prose, verdict: text.slice(c.start, c.end) };
}

/** text without a json fence opened at its end that holds no more than the start of an object. */
function unfinishedFence(text) {
  const m = /\n? {0,3}(`{3,}|~{3,})\s*json\s*\n?\s*\{?[^{}]*$/.exec(text);
  if (!m || /[`~]{3,}\s*$/.test(text.slice(m.index + m[0].indexOf(m[1]) + m[1].length))) return text;
  return text.slice(0, m.index).replace(/\s+$/, '');
}
