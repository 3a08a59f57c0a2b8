// i18n.js — the UI's English and Japanese strings. The language comes from
// localStorage, else navigator.language; apply() relabels the static page.

const strings = {
  en: {
    subtitle: 'SUPERCOMPUTER SYSTEM', new: 'NEW', login: 'API KEY',
    question: 'QUESTION', 'question.placeholder': 'Put a question to the MAGI…',
    rule: 'RULE', 'rule.majority': 'MAJORITY', 'rule.unanimous': 'UNANIMOUS', 'rule.judge': 'JUDGE (SOLOMON)',
    submit: 'DELIBERATE', hint: 'Enter to submit · Shift+Enter for a new line',
    'export.md': 'EXPORT MD', 'export.json': 'EXPORT JSON', stop: 'STOP', delete: 'DELETE', 'delete.confirm': 'CONFIRM DELETE',
    history: 'HISTORY', trace: 'TRACE', more: 'MORE', raw: 'RAW', close: 'CLOSE', expand: 'READ', cancel: 'CANCEL',
    idle: 'STANDBY', deliberating: 'DELIBERATING', waiting: 'WAITING', thinking: 'THINKING',
    'login.title': 'API KEY REQUIRED', 'login.body': 'This MAGI server requires an API key. It is kept in this tab only.',
    'login.save': 'USE KEY',
    'signin.title': 'IDENTIFICATION REQUIRED', 'signin.go': 'SIGN IN', 'signin.key': 'USE AN API KEY', 'signin.access': 'RESTRICTED',
    'signin.body': "This MAGI server admits its organisation's members. Sign in with your account at the identity provider.",
    signout: 'SIGN OUT', admin: 'ADMIN',
    'expired.body': 'Your session has ended. What is on screen stays, and a running deliberation keeps streaming; sign in again to ask or act.',
    'sim.title': 'SIMULATED COUNCIL — NO MODEL WAS CALLED',
    'sim.body': "These answers come from MAGI's built-in simulator, not from any language model.",
    'sim.howto': 'To use a real model, start magi with OPENAI_BASE_URL and MAGI_MODEL (any OpenAI-compatible server), or ANTHROPIC_API_KEY, or AWS_REGION (Bedrock).',
    confidence: 'CONFIDENCE', conditions: 'CONDITIONS', reason: 'REASON', score: 'SCORE', summary: 'SUMMARY',
    votes: 'VOTES', tiebreak: 'TIE BROKEN BY SOLOMON', sim: 'SIM',
    'hist.empty': 'No deliberations yet.', 'trace.empty': 'No trace yet.',
    'st.starting': 'Submitting…', 'st.live': 'Receiving…', 'st.reconnect': 'Connection lost — reconnecting…',
    'st.done': 'Deliberation complete.', 'st.replay': 'Replaying from the store…', 'st.deleted': 'Deleted.',
    'err.429': 'Too many deliberations running — retry in {s} s.',
    'err.network': 'Cannot reach the MAGI server. Is it running?',
    'err.401': 'The server needs an API key: enter one with the API KEY button.',
    unknown: 'unknown',
    'tr.agent': 'AGENT', 'tr.model': 'PROVIDER / MODEL', 'tr.ttft': 'FIRST TOKEN', 'tr.dur': 'DURATION',
    'tr.tokens': 'TOKENS IN/OUT', 'tr.cost': 'COST', 'tr.retries': 'RETRIES', 'tr.errors': 'ERRORS',
    rules: { majority: 'MAJORITY', unanimous: 'UNANIMOUS', judge: 'JUDGE' },
    rounds: 'ROUNDS', 'rounds.auto': 'AUTO', 'round.short': 'R', 'round.n': 'ROUND {n}', 'round.tabs': 'Rounds of {name}',
    changed: 'CHANGED FROM', awaiting: 'AWAITING SOLOMON', 'awaiting.judgement': "DECIDED BY THE VOTES · AWAITING SOLOMON'S JUDGEMENT",
    followup: 'FOLLOW UP', 'followup.placeholder': 'Ask a follow-up question…', 'followup.submit': 'ASK',
    'followup.hint': 'The council sees the earlier questions and decisions.',
    thread: 'CONVERSATION', 'turn.n': 'TURN {n}', 'thread.open': 'OPEN THIS TURN', 'thread.later': 'CONTINUED IN',
    'hist.turns': '{n} TURNS', 'export.thread': 'EXPORT CONVERSATION', 'delete.thread': 'DELETE CONVERSATION',
    council: 'COUNCIL', 'council.default': 'DEFAULT (SERVER)', 'council.shared': 'SHARED', 'council.edit': 'EDIT', 'council.new': 'NEW',
    'council.title': 'COUNCIL', 'council.new.title': 'NEW COUNCIL', 'council.name': 'NAME', 'council.name.hint': '1–64 characters: a-z, 0-9 and -',
    'council.persona': 'PERSONA', 'council.provider': 'PROVIDER', 'council.model': 'MODEL', 'council.temperature': 'TEMPERATURE',
    'council.persona.hint': "An empty persona keeps the server's (shown faintly). At most 8 KB; the closing verdict instruction is added for you.",
    'council.rule.server': 'SERVER DEFAULT', 'council.server': 'SERVER: {v}', 'council.modelDefault': 'default',
    'council.save': 'SAVE', 'council.delete': 'DELETE', 'council.delete.confirm': 'CONFIRM DELETE',
    'council.note.builtin': "The built-in council is the server's agents file and cannot be changed here. Name these settings to save them as a new council.",
    'council.note.shared': 'This shared council can be changed only by an admin. Name these settings to save them as a council of your own.',
    'council.saved': 'Council saved.', 'council.deleted': 'Council deleted.',
  },
  ja: {
    subtitle: 'スーパーコンピュータ・システム', new: '新規', login: 'APIキー',
    question: '質問', 'question.placeholder': 'MAGIに諮る質問を入力…',
    rule: '決議方式', 'rule.majority': '多数決', 'rule.unanimous': '全会一致', 'rule.judge': '裁定（SOLOMON）',
    submit: '審議開始', hint: 'Enterで送信 · Shift+Enterで改行',
    'export.md': 'MD出力', 'export.json': 'JSON出力', stop: '中止', delete: '削除', 'delete.confirm': '削除を確定',
    history: '履歴', trace: 'トレース', more: 'さらに表示', raw: '原文', close: '閉じる', expand: '全文', cancel: '取消',
    idle: '待機中', deliberating: '審議中', waiting: '待機', thinking: '思考中',
    'login.title': 'APIキーが必要です', 'login.body': 'このMAGIサーバーにはAPIキーが必要です。キーはこのタブにだけ保存されます。',
    'login.save': 'キーを使用',
    'signin.title': '認証が必要です', 'signin.go': 'サインイン', 'signin.key': 'APIキーを使う', 'signin.access': '制限',
    'signin.body': 'このMAGIサーバーは組織のメンバーだけが利用できます。IDプロバイダのアカウントでサインインしてください。',
    signout: 'サインアウト', admin: '管理者',
    'expired.body': 'セッションが終了しました。表示中の内容はそのまま残り、進行中の審議も配信を続けます。質問や操作を行うには再度サインインしてください。',
    'sim.title': 'シミュレーション — モデルは呼び出されていません',
    'sim.body': 'この回答はMAGI内蔵のシミュレーターによるもので、言語モデルの回答ではありません。',
    'sim.howto': '実際のモデルを使うには、OPENAI_BASE_URL と MAGI_MODEL（OpenAI互換サーバー）、ANTHROPIC_API_KEY、または AWS_REGION（Bedrock）を設定して magi を起動してください。',
    confidence: '確信度', conditions: '条件', reason: '理由', score: '評価', summary: '要約',
    votes: '票', tiebreak: '同数のためSOLOMONが裁定', sim: '模擬',
    'hist.empty': '審議の記録はまだありません。', 'trace.empty': 'トレースはまだありません。',
    'st.starting': '送信中…', 'st.live': '受信中…', 'st.reconnect': '接続が切れました — 再接続中…',
    'st.done': '審議完了。', 'st.replay': '記録から再生中…', 'st.deleted': '削除しました。',
    'err.429': '審議が混み合っています — {s} 秒後に再試行してください。',
    'err.network': 'MAGIサーバーに接続できません。起動していますか？',
    'err.401': 'APIキーが必要です。「APIキー」ボタンから入力してください。',
    unknown: '不明',
    'tr.agent': 'エージェント', 'tr.model': 'プロバイダ / モデル', 'tr.ttft': '初回トークン', 'tr.dur': '所要時間',
    'tr.tokens': 'トークン 入/出', 'tr.cost': 'コスト', 'tr.retries': '再試行', 'tr.errors': 'エラー',
    rules: { majority: '多数決', unanimous: '全会一致', judge: '裁定' },
    rounds: '討議回数', 'rounds.auto': '既定', 'round.short': 'R', 'round.n': '第{n}回', 'round.tabs': '{name}の各回',
    changed: '変更前', awaiting: 'SOLOMONの裁定待ち', 'awaiting.judgement': '票決により決定 · SOLOMONの所見待ち',
    followup: '追加質問', 'followup.placeholder': '追加の質問を入力…', 'followup.submit': '質問',
    'followup.hint': '評議会はこれまでの質問と決議を踏まえて審議します。',
    thread: '経緯', 'turn.n': '第{n}問', 'thread.open': 'この問を開く', 'thread.later': 'この後の質問',
    'hist.turns': '{n}問', 'export.thread': '会話をMD出力', 'delete.thread': '会話を削除',
    council: '評議会', 'council.default': '既定（サーバー）', 'council.shared': '共有', 'council.edit': '編集', 'council.new': '新規',
    'council.title': '評議会', 'council.new.title': '新しい評議会', 'council.name': '名前', 'council.name.hint': '1〜64文字：a-z、0-9、-',
    'council.persona': '人格', 'council.provider': 'プロバイダ', 'council.model': 'モデル', 'council.temperature': '温度',
    'council.persona.hint': '人格を空にするとサーバーの人格を使います（薄く表示）。最大8KB。最後の評決の指示は自動で加わります。',
    'council.rule.server': 'サーバー既定', 'council.server': 'サーバー：{v}', 'council.modelDefault': '既定',
    'council.save': '保存', 'council.delete': '削除', 'council.delete.confirm': '削除を確定',
    'council.note.builtin': '組み込みの評議会はサーバーのエージェント設定ファイルで、ここでは変更できません。名前を付けると新しい評議会として保存できます。',
    'council.note.shared': 'この共有評議会を変更できるのは管理者だけです。名前を付けると自分の評議会として保存できます。',
    'council.saved': '評議会を保存しました。', 'council.deleted': '評議会を削除しました。',
  },
};

/** The verdict words, shown in both languages as on the original display. */
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

/** Switches language, remembers it, and relabels the page. */
export function setLanguage(next) {
  lang = next === 'ja' ? 'ja' : 'en';
  try { localStorage.setItem(KEY, lang); } catch { /* storage may be off */ }
  apply();
}

/** Relabels every element marked data-i18n / data-i18n-placeholder. */
export function apply(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  const toggle = document.getElementById('lang-toggle');
  if (toggle) {
    toggle.textContent = lang === 'ja' ? 'EN' : '日本語';
    toggle.setAttribute('aria-label', lang === 'ja' ? 'Switch to English' : '日本語に切り替え');
  }
}
