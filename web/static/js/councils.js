// councils.js — saved councils: the picker next to the rule (GET
// /api/councils) and the editor dialog (the four agents' persona,
// provider, model and temperature, as the server offers them: GET
// /api/providers), whose problems are shown beside their fields.
import { json, ApiError } from './api.js';
import { apply, t } from './i18n.js';
import { MEMBERS, NAMES } from './council.js';

const KEY = 'magi.council';
const DEFAULT = 'default';

const h = (tag, attrs = {}, text) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'dataset') Object.assign(el.dataset, v); else el.setAttribute(k, v);
  }
  if (text !== undefined) el.textContent = text;
  return el;
};

/** The id of the element that shows the problem of a field: err-agents-casper-model. */
export function errorId(field) {
  return `err-${field.replace(/[^a-z0-9_]+/gi, '-').replace(/-+$/, '')}`;
}

/** Councils owns the picker and the editor. */
export class Councils {
  constructor({ select, row, dialog, onError, onStatus }) {
    this.select = select;
    this.row = row;
    this.dialog = dialog;
    this.onError = onError;
    this.onStatus = onStatus;
    this.items = [];
    this.offer = null; // GET /api/providers
    this.defaults = null; // GET /api/councils/default
    this.editing = null; // the council being edited; null: a new one
    this.form = dialog.querySelector('#ce-form');
    this.buildAgents(dialog.querySelector('#ce-agents'));
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.save(); });
    dialog.querySelector('#ce-cancel').addEventListener('click', () => dialog.close());
    dialog.querySelector('#ce-delete').addEventListener('click', () => this.remove());
    select.addEventListener('change', () => this.remember());
  }

  /** The council the next question is put to: '' for the built-in one. */
  selected() {
    const v = this.select.value;
    return v && v !== DEFAULT ? v : '';
  }

  remember() {
    try { localStorage.setItem(KEY, this.select.value); } catch { /* storage may be off */ }
  }

  /** Reloads the list; the row stays hidden on a server that keeps no councils. */
  async refresh(pick) {
    let page;
    try {
      page = await json('/api/councils');
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) { this.row.hidden = true; return; }
      throw err;
    }
    this.items = page.items || [];
    this.row.hidden = false;
    let want = pick;
    if (!want) { try { want = localStorage.getItem(KEY) || ''; } catch { want = ''; } }
    if (!this.items.some((it) => it.name === want)) want = DEFAULT;
    this.draw(want);
  }

  draw(value = this.select.value) {
    this.select.replaceChildren(...this.items.map((it) => {
      const label = it.builtin ? t('council.default') : it.shared ? `${it.name} (${t('council.shared')})` : it.name;
      return h('option', { value: it.name }, label);
    }));
    this.select.value = value || DEFAULT;
    this.remember();
  }

  /** Relabels what the page drew (after a change of language). */
  relabel() {
    if (this.items.length) this.draw();
    apply(this.dialog);
  }

  buildAgents(root) {
    this.fields = {};
    for (const id of MEMBERS) {
      const f = (name) => `ce-${id}-${name}`;
      const box = h('fieldset', { class: 'ce-agent', dataset: { agent: id } });
      box.append(h('legend', {}, NAMES[id]));
      const persona = h('textarea', { id: f('persona'), rows: '5', 'aria-describedby': `${errorId(`agents.${id}.persona`)} ce-persona-hint` });
      const provider = h('select', { id: f('provider'), 'aria-describedby': errorId(`agents.${id}.provider`) });
      const model = h('span', { class: 'ce-model' });
      const temp = h('input', { id: f('temperature'), type: 'text', inputmode: 'decimal', autocomplete: 'off', 'aria-describedby': errorId(`agents.${id}.temperature`) });
      provider.addEventListener('change', () => this.drawModel(id, ''));
      const field = (name, control) => {
        const wrap = h('div', { class: `ce-field ce-${name}` });
        wrap.append(h('label', { for: f(name), 'data-i18n': `council.${name}` }, t(`council.${name}`)), control,
          h('p', { class: 'field-error', id: errorId(`agents.${id}.${name}`), hidden: '' }));
        return wrap;
      };
      box.append(field('persona', persona), field('provider', provider), field('model', model), field('temperature', temp));
      root.append(box);
      this.fields[id] = { persona, provider, model, temp };
    }
  }

  /** Opens the editor on council name ('': a new council). */
  async open(name) {
    try {
      [this.offer, this.defaults] = await Promise.all([
        this.offer || json('/api/providers'), json(`/api/councils/${DEFAULT}`)]);
      const council = name ? await json(`/api/councils/${encodeURIComponent(name)}`) : null;
      this.fill(council);
    } catch (err) { this.onError(err); return; }
    if (!this.dialog.open) this.dialog.showModal();
    (this.editing ? this.fields.melchior.persona : this.form.querySelector('#ce-name')).focus();
  }

  /** Fills the form: a council the caller may change is edited in place; any other is a start for a new one. */
  fill(council) {
    this.clearErrors();
    const own = council && council.editable;
    this.editing = own ? council : null;
    this.doc = council ? strip(council) : {};
    const name = this.form.querySelector('#ce-name');
    name.value = own ? council.name : '';
    name.readOnly = Boolean(own);
    let note = '';
    if (council?.builtin) note = 'council.note.builtin';
    else if (council && !own) note = 'council.note.shared';
    const noteEl = this.dialog.querySelector('#ce-note');
    noteEl.dataset.i18n = note;
    noteEl.textContent = note ? t(note) : '';
    noteEl.hidden = !note;
    if (council && !own) delete this.doc.name;
    this.dialog.querySelector('#ce-title').textContent = own ? `${t('council.title')} · ${council.name}` : t('council.new.title');
    this.dialog.querySelector('#ce-delete').hidden = !own;
    this.form.querySelector('#ce-rule').value = this.doc.rule || '';
    this.form.querySelector('#ce-rounds').value = this.doc.rounds ? String(this.doc.rounds) : '';
    for (const id of MEMBERS) {
      const a = this.doc.agents?.[id] || {};
      const d = this.defaults?.agents?.[id] || {};
      const fl = this.fields[id];
      fl.persona.value = a.persona || '';
      fl.persona.placeholder = d.persona || '';
      fl.provider.replaceChildren(h('option', { value: '' }, t('council.server', { v: `${d.provider || ''}/${d.model || ''}` })),
        ...(this.offer?.providers || []).map((p) => h('option', { value: p.name }, p.name)));
      if (a.provider && ![...fl.provider.options].some((o) => o.value === a.provider)) fl.provider.append(h('option', { value: a.provider }, a.provider));
      fl.provider.value = a.provider || '';
      this.drawModel(id, a.model || '');
      fl.temp.value = a.temperature ?? '';
      fl.temp.placeholder = d.temperature ?? t('council.modelDefault');
    }
  }

  /** The model control of agent id: a choice among the allowed models of a restricted provider, else free text with suggestions. */
  drawModel(id, value) {
    const fl = this.fields[id];
    const pname = fl.provider.value || this.defaults?.agents?.[id]?.provider || '';
    const offer = (this.offer?.providers || []).find((p) => p.name === pname);
    const attrs = { id: `ce-${id}-model`, 'aria-describedby': errorId(`agents.${id}.model`) };
    let control;
    if (offer?.restricted) {
      control = h('select', attrs);
      control.append(h('option', { value: '' }, t('council.server', { v: this.defaults?.agents?.[id]?.model || '' })),
        ...offer.models.map((m) => h('option', { value: m }, m)));
      if (value && !offer.models.includes(value)) control.append(h('option', { value }, value));
    } else {
      control = h('input', { ...attrs, type: 'text', autocomplete: 'off', list: `ce-${id}-models`, placeholder: this.defaults?.agents?.[id]?.model || '' });
      const list = h('datalist', { id: `ce-${id}-models` });
      list.append(...(offer?.models || []).map((m) => h('option', { value: m })));
      fl.model.replaceChildren(control, list);
    }
    if (offer?.restricted) fl.model.replaceChildren(control);
    control.value = value;
    fl.modelInput = control;
  }

  /** The document the form describes, over the one loaded (its other settings kept). */
  document() {
    const doc = structuredClone(this.doc);
    const name = this.form.querySelector('#ce-name').value.trim();
    set(doc, 'name', name);
    set(doc, 'rule', this.form.querySelector('#ce-rule').value);
    const rounds = this.form.querySelector('#ce-rounds').value;
    set(doc, 'rounds', rounds ? Number(rounds) : '');
    doc.agents = doc.agents || {};
    for (const id of MEMBERS) {
      const fl = this.fields[id];
      const a = doc.agents[id] || {};
      set(a, 'persona', fl.persona.value.trim() ? fl.persona.value : '');
      set(a, 'provider', fl.provider.value);
      set(a, 'model', fl.modelInput.value.trim());
      const temp = fl.temp.value.trim();
      set(a, 'temperature', temp === '' ? '' : Number.isNaN(Number(temp)) ? temp : Number(temp));
      if (Object.keys(a).length) doc.agents[id] = a; else delete doc.agents[id];
    }
    if (!Object.keys(doc.agents).length) delete doc.agents;
    return doc;
  }

  async save() {
    this.clearErrors();
    const doc = this.document();
    const saveBtn = this.form.querySelector('#ce-save');
    saveBtn.disabled = true;
    try {
      const res = this.editing
        ? await json(`/api/councils/${encodeURIComponent(this.editing.name)}`, { method: 'PUT', body: doc })
        : await json('/api/councils', { method: 'POST', body: doc });
      this.dialog.close();
      this.onStatus('council.saved');
      await this.refresh(res.name);
    } catch (err) {
      if (err instanceof ApiError && err.fields?.length) this.showErrors(err.fields);
      else if (err instanceof ApiError && err.status && err.status !== 401) this.showErrors([{ field: '', message: err.message }]);
      else this.onError(err);
    } finally {
      saveBtn.disabled = false;
    }
  }

  async remove() {
    const btn = this.dialog.querySelector('#ce-delete');
    if (btn.dataset.confirm !== 'yes') {
      btn.dataset.confirm = 'yes';
      btn.textContent = t('council.delete.confirm');
      return;
    }
    btn.dataset.confirm = '';
    btn.textContent = t('council.delete');
    try {
      await json(`/api/councils/${encodeURIComponent(this.editing.name)}`, { method: 'DELETE' });
      this.dialog.close();
      this.onStatus('council.deleted');
      await this.refresh(DEFAULT);
    } catch (err) { this.showErrors([{ field: '', message: err.message }]); }
  }

  /** Shows each problem beside its field; those of fields the form has not, in the list at the top. */
  showErrors(fields) {
    const general = this.dialog.querySelector('#ce-errors');
    const rest = [];
    let first = null;
    for (const f of fields) {
      const el = f.field ? this.dialog.querySelector(`#${CSS.escape(errorId(f.field))}`) : null;
      if (!el) { rest.push(f.field ? `${f.field}: ${f.message}` : f.message); continue; }
      el.textContent = el.textContent ? `${el.textContent} ${f.message}` : f.message;
      el.hidden = false;
      const control = this.dialog.querySelector(`[aria-describedby~="${el.id}"]`);
      control?.setAttribute('aria-invalid', 'true');
      first = first || control;
    }
    general.replaceChildren(...rest.map((m) => h('li', {}, m)));
    general.hidden = !rest.length;
    if (rest.length) { general.focus(); return; }
    first?.focus();
    // The problem is read beside its field: bring both into view.
    this.dialog.querySelector(`#${CSS.escape(first?.getAttribute('aria-describedby')?.split(' ')[0] || '')}`)?.scrollIntoView({ block: 'nearest' });
  }

  clearErrors() {
    for (const el of this.dialog.querySelectorAll('.field-error')) { el.textContent = ''; el.hidden = true; }
    for (const el of this.dialog.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    const general = this.dialog.querySelector('#ce-errors');
    general.replaceChildren();
    general.hidden = true;
  }
}

/** The council's own settings, without what the server adds to it. */
function strip(council) {
  const doc = structuredClone(council);
  for (const k of ['shared', 'editable', 'builtin', 'created_at', 'updated_at', 'snapshot', 'problems']) delete doc[k];
  return doc;
}

/** Sets o[k] to v, or removes k for an empty v. */
function set(o, k, v) {
  if (v === '' || v === undefined || v === null) delete o[k]; else o[k] = v;
}
