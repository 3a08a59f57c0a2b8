// history.js — the list of past deliberations (newest first, paged by
// cursor), the turns of a conversation grouped under its newest, and the
// export and delete actions on one of them.
import { json, request, ApiError } from './api.js';
import { t, verdictWords } from './i18n.js';

/** History draws GET /api/deliberations into root; onOpen(id) opens one. */
export class History {
  constructor(root, { onOpen, onError }) {
    this.root = root;
    this.onOpen = onOpen;
    this.onError = onError;
    this.items = [];
    this.cursor = '';
    this.current = '';
    this.failed = false; // the last load was refused: the list is unknown
    this.gen = 0; // counts refreshes; older answers are dropped
    this.pending = ''; // the URL being loaded
    this.fresh = false; // the next page loaded replaces the list
  }

  /**
   * Reloads the first page; an answer to an earlier load is dropped. The
   * list on screen stays until the new one arrives, and stays if it
   * cannot be loaded (an ended session: what the user saw remains).
   */
  async refresh() {
    this.gen++;
    this.cursor = '';
    this.pending = '';
    this.fresh = true;
    await this.load();
  }

  /** Loads the next page once, even when asked again while it loads. */
  async load() {
    const url = `/api/deliberations${this.cursor ? `?cursor=${encodeURIComponent(this.cursor)}` : ''}`;
    const gen = this.gen;
    if (this.pending === url) return;
    this.pending = url;
    let failed = false;
    try {
      const page = await json(url);
      if (gen !== this.gen) return; // a refresh started since: its answer counts
      if (this.fresh) { this.items = []; this.fresh = false; }
      this.items.push(...(page.items || []));
      this.cursor = page.next_cursor || '';
    } catch (err) {
      if (gen !== this.gen) return;
      failed = true;
      this.onError(err);
    } finally {
      if (gen === this.gen) this.pending = '';
    }
    this.failed = failed && !this.items.length; // unknown, not empty
    this.draw();
  }

  /** Marks the deliberation on screen. */
  select(id) {
    this.current = id;
    for (const a of this.root.querySelectorAll('a[data-id]')) {
      if (a.dataset.id === id) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
  }

  draw() {
    const ul = document.createElement('ul');
    ul.className = 'history-list';
    for (const turns of byConversation(this.items)) ul.append(this.group(turns));
    const nodes = [ul];
    if (!this.items.length && !this.failed) {
      const p = document.createElement('p');
      p.className = 'empty';
      p.textContent = t('hist.empty');
      nodes.push(p);
    }
    if (this.cursor) {
      const more = document.createElement('button');
      more.type = 'button';
      more.className = 'btn small';
      more.textContent = t('more');
      more.addEventListener('click', () => this.load());
      nodes.push(more);
    }
    this.root.replaceChildren(...nodes);
    this.select(this.current);
  }

  /** A conversation's turns on the page, newest first: the newest, the others under it. */
  group(turns) {
    const li = this.item(turns[0]);
    if (turns.length > 1) {
      li.className = 'history-conversation';
      const ol = document.createElement('ul');
      ol.className = 'history-turns';
      ol.setAttribute('aria-label', t('thread'));
      for (const it of turns.slice(1)) ol.append(this.item(it));
      li.append(ol);
    }
    return li;
  }

  item(it) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `/d/${encodeURIComponent(it.id)}`;
    a.dataset.id = it.id;
    a.className = 'history-item';
    a.dataset.decision = it.decision || it.status || '';
    a.addEventListener('click', (e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
      e.preventDefault();
      this.onOpen(it.id);
    });
    const q = document.createElement('span');
    q.className = 'history-q';
    q.textContent = it.question;
    const meta = document.createElement('span');
    meta.className = 'history-meta';
    const word = it.decision ? (verdictWords[it.decision]?.[0] ?? it.decision) : it.status;
    const when = it.created_at ? new Date(it.created_at).toLocaleString() : '';
    const council = it.council && it.council !== 'default' ? it.council : '';
    const turns = it.turns > 1 ? t('hist.turns', { n: it.turns }) : '';
    meta.textContent = [word, t('rules')[it.rule] || it.rule, council, turns, when, it.simulated ? t('sim') : ''].filter(Boolean).join(' · ');
    a.append(q, meta);
    li.append(a);
    return li;
  }
}

/** The items grouped by conversation, each group newest first, in the order of its newest. */
function byConversation(items) {
  const groups = new Map();
  for (const it of items) {
    const key = it.conversation_id || it.id;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(it);
  }
  return [...groups.values()];
}

/**
 * exportRecord downloads deliberation id (with conversation, its whole
 * conversation) as Markdown or JSON. The request carries the API key, so
 * the file is fetched and saved from a blob URL. JSON falls back to the
 * record document when the export route is absent.
 */
export async function exportRecord(id, format, conversation = false) {
  const base = `/api/deliberations/${encodeURIComponent(id)}`;
  let res;
  try {
    res = await request(`${base}/export?format=${format}${conversation ? '&conversation=true' : ''}`);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404 || format !== 'json') throw err;
    res = await request(base);
  }
  const blob = await res.blob();
  const name = filename(res.headers.get('Content-Disposition')) || `magi-${id}.${format}`;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return name;
}

function filename(disposition) {
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition || '');
  if (!m) return '';
  try { return decodeURIComponent(m[1]).replace(/[\\/]/g, '_'); } catch { return m[1]; }
}

/** deleteConversation deletes every turn of the conversation of deliberation id (204). */
export async function deleteConversation(id) {
  await request(`/api/conversations/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** deleteRecord deletes deliberation id (204). */
export async function deleteRecord(id) {
  await request(`/api/deliberations/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
