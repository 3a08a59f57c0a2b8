// markdown.js — a small, safe Markdown renderer for untrusted model output
// (OWASP LLM05). It builds DOM nodes and sets only textContent: raw HTML is
// shown as text, images are never loaded ("[image: alt]"), and links are
// made only for absolute http(s) URLs.

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^ {0,3}[-*+]\s+(.*)$/;
const ORDERED = /^ {0,3}(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const RULE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;

/** Renders Markdown text into a new DocumentFragment. */
export function renderMarkdown(text) {
  const frag = document.createDocumentFragment();
  const lines = String(text).replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length) i = block(lines, i, frag);
  return frag;
}

/** Renders the block starting at lines[i] into parent; returns the next index. */
function block(lines, i, parent) {
  const line = lines[i];
  if (line.trim() === '') return i + 1;
  let m;
  if ((m = FENCE.exec(line))) return fence(lines, i, m, parent);
  if ((m = HEADING.exec(line))) {
    parent.append(inline(el(`h${Math.min(m[1].length + 2, 6)}`), m[2]));
    return i + 1;
  }
  if (RULE.test(line)) { parent.append(el('hr')); return i + 1; }
  if (BULLET.test(line)) return list(lines, i, BULLET, el('ul'), parent);
  if ((m = ORDERED.exec(line))) {
    const ol = el('ol');
    if (m[1] !== '1') ol.start = Number(m[1]);
    return list(lines, i, ORDERED, ol, parent);
  }
  if (QUOTE.test(line)) {
    const quoted = [];
    for (; i < lines.length && (m = QUOTE.exec(lines[i])); i++) quoted.push(m[1]);
    const bq = el('blockquote');
    bq.append(renderMarkdown(quoted.join('\n')));
    parent.append(bq);
    return i;
  }
  return paragraph(lines, i, parent);
}

function fence(lines, i, m, parent) {
  const marker = m[1];
  const close = new RegExp(`^ {0,3}\\${marker[0]}{${marker.length},}\\s*$`);
  const body = [];
  for (i++; i < lines.length; i++) {
    if (close.test(lines[i])) { i++; break; }
    body.push(lines[i]);
  }
  const pre = el('pre');
  const code = el('code');
  if (m[2]) code.dataset.lang = m[2];
  code.textContent = body.join('\n');
  pre.append(code);
  parent.append(pre);
  return i;
}

function list(lines, i, re, listEl, parent) {
  let m;
  let item = null;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if ((m = re.exec(line))) {
      item = el('li');
      listEl.append(inline(item, m[m.length - 1]));
    } else if (line.trim() !== '' && /^\s{2,}\S/.test(line) && item) {
      item.append(' ');
      inline(item, line.trim());
    } else break;
  }
  parent.append(listEl);
  return i;
}

function paragraph(lines, i, parent) {
  const text = [];
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '' || (text.length && startsBlock(line))) break;
    text.push(line.trim());
  }
  const p = el('p');
  text.forEach((t, k) => {
    if (k) p.append(el('br'));
    inline(p, t);
  });
  parent.append(p);
  return i;
}

function startsBlock(line) {
  return FENCE.test(line) || HEADING.test(line) || BULLET.test(line) || ORDERED.test(line) || QUOTE.test(line) || RULE.test(line);
}

// One pass over a line: code spans, images, links, strong, emphasis.
const INLINE = new RegExp([
  '(`+)([\\s\\S]*?[^`])\\1(?!`)', // 1,2 code span
  '!\\[([^\\]]*)\\]\\(([^()\\s]*(?:\\([^()\\s]*\\))?[^()\\s]*)(?:\\s+"[^"]*")?\\)', // 3,4 image
  '\\[([^\\]]+)\\]\\(([^()\\s]*(?:\\([^()\\s]*\\))?[^()\\s]*)(?:\\s+"[^"]*")?\\)', // 5,6 link
  '\\*\\*(?=\\S)([\\s\\S]*?\\S)\\*\\*|__(?=\\S)([\\s\\S]*?\\S)__', // 7,8 strong
  '\\*(?=[^\\s*])([^*]*?[^\\s*])\\*|(?<![\\w])_(?=[^\\s_])([^_]*?[^\\s_])_(?![\\w])', // 9,10 emphasis
].join('|'), 'g');

/** Appends text with inline Markdown to parent; returns parent. */
export function inline(parent, text) {
  let last = 0;
  INLINE.lastIndex = 0;
  const matches = [...text.matchAll(INLINE)];
  for (const m of matches) {
    if (m.index > last) parent.append(text.slice(last, m.index));
    parent.append(span(m));
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.append(text.slice(last));
  return parent;
}

function span(m) {
  if (m[2] !== undefined) {
    const code = el('code');
    code.textContent = m[2].replace(/^ (.*) $/, '$1');
    return code;
  }
  if (m[4] !== undefined) return document.createTextNode(`[image: ${m[3]}]`);
  if (m[6] !== undefined) return link(m[5], m[6], m[0]);
  if (m[7] !== undefined || m[8] !== undefined) return inline(el('strong'), m[7] ?? m[8]);
  return inline(el('em'), m[9] ?? m[10]);
}

/** A link for an absolute http(s) URL; anything else stays plain text. */
function link(label, href, source) {
  const url = safeURL(href);
  if (!url) return document.createTextNode(source);
  const a = el('a');
  a.href = url;
  a.rel = 'noopener noreferrer nofollow';
  a.target = '_blank';
  a.referrerPolicy = 'no-referrer';
  return inline(a, label);
}

/** The normalised URL when href is absolute http: or https:, else null. */
export function safeURL(href) {
  try {
    const u = new URL(href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

function el(tag) { return document.createElement(tag); }
