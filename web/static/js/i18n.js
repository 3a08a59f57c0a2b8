// i18n.js — the UI's language: English or Japanese, from localStorage,
// else navigator.language. t() looks a word up (strings.js); apply()
// relabels the static page; the helpers below put the server's words —
// verdicts, notes, error codes — in the chosen language.
import { strings } from './strings.js';

/** The verdict words: the kanji of the original display and the English word. */
export const verdictWords = {
  APPROVED: ['承認', 'APPROVED'], REJECTED: ['否決', 'REJECTED'],
  CONDITIONAL: ['条件付', 'CONDITIONAL'], ABSTAINED: ['棄権', 'ABSTAINED'],
};

const KEY = 'magi.lang';
let lang = initial();

function initial() {
  let saved = null;
  try { saved = localStorage.getItem(KEY); } catch { /* storage may be off */ }
  if (saved === 'ja' || saved === 'en') return saved;
  return (globalThis.navigator?.language || 'en').toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** The current language code. */
export function language() { return lang; }

/** The string for key in the current language, with {name} filled from vars. */
export function t(key, vars = {}) {
  const s = strings[lang][key] ?? strings.en[key] ?? key;
  return typeof s === 'string' ? s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? '')) : s;
}

/** Whether key has a string. */
function has(key) { return key in strings.en; }

/** [kanji, word] of a decision; in Japanese the word is the kanji. */
export function verdictWord(d) {
  const [kanji, word] = verdictWords[d] || [d, d];
  return [kanji, lang === 'ja' ? kanji : word];
}

/** The word of the banner for a deliberation that ended with error code. */
export function fatalWord(code) { return t(has(`fatal.${code}`) ? `fatal.${code}` : 'fatal.failed'); }

/** What a user is told of a deliberation that ended with error code; the details stay in the trace. */
export function fatalText(code) { return t(has(`fatal.msg.${code}`) ? `fatal.msg.${code}` : 'fatal.msg.failed'); }

/** What a user is told of a sage's failed call (code provider_timeout, …); the details stay in the trace. */
export function failureText(code) {
  return `${t(has(`fail.${code}`) ? `fail.${code}` : 'fail.other')} ${t('fail.trace')}`;
}

// The clauses of the server's note (rule.go explain, rounds.go ChangeNote), in Japanese.
const NOTE_JA = [
  [/(\S+) changed (\w+) → (\w+) in round (\d+)/g, (_, n, a, b, r) => `${n}が第${r}回で${jw(a)}から${jw(b)}に変更`],
  [/SOLOMON gave no verdict, so the majority rule decided; /g, () => 'SOLOMONの評決がないため多数決で決定。'],
  [/; SOLOMON gave no verdict/g, () => '。SOLOMONの評決なし'],
  [/; SOLOMON alone would have approved on conditions/g, () => '。SOLOMON単独なら条件付で承認'],
  [/; SOLOMON alone would have (approved|rejected)/g, (_, v) => `。SOLOMON単独なら${v === 'approved' ? '承認' : '否決'}`],
  [/(\d+) for( \((\d+) conditional\))?, (\d+) against(, (\d+) abstained)?/g,
    (_, f, _c, c, a, _ab, ab) => `賛成${f}${c ? `（うち条件付${c}）` : ''}・反対${a}${ab ? `・棄権${ab}` : ''}`],
  [/: a tie, broken by SOLOMON's (\w+)/g, (_, d) => `：同数のためSOLOMONの${jw(d)}で決定`],
  [/: a tie, not carried/g, () => '：同数のため可決されず'],
  [/: not unanimous, so REJECTED/g, () => '：全会一致でないため否決'],
  [/: unanimous (\w+)/g, (_, d) => `：全会一致で${jw(d)}`],
  [/: majority (\w+)/g, (_, d) => `：多数で${jw(d)}`],
  [/; /g, () => '。'],
];
const jw = (d) => verdictWords[d]?.[0] ?? d;

/** The outcome's note in the chosen language; the server's text when a clause is not known. */
export function noteText(note) {
  if (!note || lang !== 'ja') return note || '';
  let out = note;
  for (const [re, fn] of NOTE_JA) out = out.replace(re, fn);
  return /[A-Za-z]{3,}/.test(out.replace(/[A-Z]+[·-]\d|SOLOMON/g, '')) ? note : out;
}

/**
 * An error the server sent (SPEC's code and message), as the page says it:
 * in Japanese a sentence of its own for each known code, the server's
 * words kept where they name what to fix (bad or oversized input, a
 * conflict); in English the server's message.
 */
export function serverMessage(code, message) {
  const key = `err.${code}`;
  if (lang !== 'ja' || !(key in strings.ja)) return message;
  return t(key, { detail: message });
}

// A sage's abstention reasons that are always the same words (parse.go,
// council/turn.go), as keys of strings.js; others are the server's text.
const REASONS = {
  'the deliberation was stopped': 'reason.stopped', 'the answer is empty': 'reason.empty',
  'no verdict JSON found at the end of the answer': 'reason.noVerdict',
  'the verdict JSON at the end of the answer is not valid JSON': 'reason.badJSON',
  'the sage abstained': 'reason.abstained', 'no answer was quoted': 'reason.noAnswer',
};

/** Why a sage abstained, in the chosen language when the reason is a known one. */
export function reasonText(reason) { return REASONS[reason] ? t(REASONS[reason]) : reason; }

/** Why another round runs (rounds.go SplitReason), in the chosen language; the server's text when not known. */
export function roundReasonText(reason) {
  const m = /^round (\d+) split ((?:\d+ \w+(?:, )?)+): the sages read each other's answers and vote again$/.exec(reason || '');
  if (!m || lang !== 'ja') return reason || '';
  const counts = m[2].split(', ').map((c) => { const [n, w] = c.split(' '); return `${verdictWords[w.toUpperCase()]?.[0] ?? w}${n}`; });
  return `第${m[1]}回は${counts.join('・')}に分かれたため、賢者は互いの回答を読んで再び投票します`;
}

/** Switches language, remembers it, and relabels the page. */
export function setLanguage(next) {
  lang = next === 'ja' ? 'ja' : 'en';
  try { localStorage.setItem(KEY, lang); } catch { /* storage may be off */ }
  apply();
}

/** Relabels every element marked data-i18n, data-i18n-placeholder or data-i18n-label (aria-label). */
export function apply(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  const toggle = document.getElementById('lang-toggle');
  if (toggle) {
    // The button names the other language in that language; its
    // accessible name starts with the visible word (WCAG 2.5.3).
    toggle.textContent = lang === 'ja' ? 'EN' : '日本語';
    toggle.lang = lang === 'ja' ? 'en' : 'ja';
    toggle.setAttribute('aria-label', lang === 'ja' ? 'EN: English' : '日本語');
    toggle.title = lang === 'ja' ? 'Switch to English' : '日本語に切り替え';
  }
}
