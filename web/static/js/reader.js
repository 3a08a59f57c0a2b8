// reader.js — the reader: one agent's whole text in a large dialog, as
// safe Markdown or as the raw text, following the stream while open.
import { renderMarkdown } from './markdown.js';
import { NAMES } from './council.js';

/** Reader drives the <dialog> that shows one agent's text. */
export class Reader {
  constructor(dialog) {
    this.dialog = dialog;
    this.body = dialog.querySelector('#reader-body');
    this.title = dialog.querySelector('#reader-title');
    this.rawBtn = dialog.querySelector('#reader-raw');
    this.agent = '';
    this.raw = false;
    this.frame = 0;
    this.st = null;
    dialog.querySelector('#reader-close').addEventListener('click', () => dialog.close());
    this.rawBtn.addEventListener('click', () => {
      this.raw = !this.raw;
      this.rawBtn.setAttribute('aria-pressed', String(this.raw));
      this.draw();
    });
    dialog.addEventListener('close', () => { this.agent = ''; });
  }

  /** Opens the reader on agent id of st. */
  open(id, st) {
    this.agent = id;
    this.st = st;
    this.title.textContent = NAMES[id];
    this.draw();
    if (!this.dialog.open) this.dialog.showModal();
    this.body.focus();
  }

  /** Redraws, at most once a frame, when what touched the open agent. */
  update(st, what) {
    this.st = st;
    if (!this.agent || (what !== this.agent && what !== 'council') || this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
  }

  draw() {
    if (!this.agent || !this.st) return;
    const text = this.st.agents[this.agent].text;
    const follow = this.body.scrollHeight - this.body.scrollTop - this.body.clientHeight < 32;
    if (this.raw) {
      const pre = document.createElement('pre');
      pre.className = 'raw';
      pre.textContent = text;
      this.body.replaceChildren(pre);
    } else {
      this.body.replaceChildren(renderMarkdown(text));
    }
    if (follow) this.body.scrollTop = this.body.scrollHeight;
  }
}
