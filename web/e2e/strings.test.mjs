// strings.test.mjs — the UI's words, in node: every English string has its
// Japanese one, and the server's sentences the page translates (the
// outcome's note, why a round runs, why a sage abstained) come out in
// Japanese, with no English left.
import { test } from 'node:test';
import assert from 'node:assert/strict';

// i18n.js relabels the page when the language changes: a page with nothing on it.
globalThis.document = { documentElement: {}, querySelectorAll: () => [], getElementById: () => null };
const { strings } = await import('../static/js/strings.js');
const { setLanguage, t, noteText, roundReasonText, reasonText, failureText, fatalText, serverMessage } = await import('../static/js/i18n.js');

// A Latin word of two letters or more, but for names and the words Japanese writes in Latin letters too.
const ENGLISH = /\b(?!(?:MAGI|SOLOMON|MELCHIOR|BALTHASAR|CASPER|JSON|API|MD|Enter|Shift|OPENAI_BASE_URL|MAGI_MODEL|ANTHROPIC_API_KEY|AWS_REGION|OpenAI|Bedrock|OpenTelemetry|Jaeger|Tempo|magi|sim|ms|KB|EN|ID)\b)[A-Za-z_]{2,}\b/;

test('every English string has a Japanese one, in Japanese', () => {
  for (const [key, en] of Object.entries(strings.en)) {
    const ja = strings.ja[key];
    assert.ok(ja !== undefined, `no Japanese for ${key}`);
    const words = typeof ja === 'string' ? [ja] : Object.values(ja);
    for (const w of words) assert.doesNotMatch(w.replace(/\{\w+\}/g, ''), ENGLISH, `${key}: ${w} (English: ${JSON.stringify(en)})`);
  }
});

test('the server\'s sentences in Japanese', () => {
  setLanguage('ja');
  try {
    const said = [
      roundReasonText("round 1 split 1 approved, 1 conditional, 1 rejected: the sages read each other's answers and vote again"),
      roundReasonText("round 2 split 2 conditional, 1 abstained: the sages read each other's answers and vote again"),
      noteText('2 for (1 conditional), 1 against: majority CONDITIONAL; SOLOMON alone would have approved'),
      noteText('CASPER-3 changed REJECTED → CONDITIONAL in round 2'),
      reasonText('no verdict JSON found at the end of the answer'), reasonText('the deliberation was stopped'),
      failureText('provider_timeout'), failureText('something_new'), fatalText('interrupted'), fatalText('something_new'),
      serverMessage('unavailable', 'The store is unavailable; try again shortly.'), serverMessage('internal', 'internal error'),
    ];
    assert.match(serverMessage('invalid', 'the question is empty'), /^入力が受け付けられませんでした（the question is empty）$/, 'what to fix is kept');
    for (const s of said) assert.doesNotMatch(s.replace(/CASPER-3/g, ''), ENGLISH, s);
    assert.equal(said[0], '第1回は承認1・条件付1・否決1に分かれたため、賢者は互いの回答を読んで再び投票します');
    assert.equal(reasonText('the verdict JSON gives two decisions, APPROVED and REJECTED'), 'the verdict JSON gives two decisions, APPROVED and REJECTED', 'an unknown reason stays as the server said it');
  } finally {
    setLanguage('en');
  }
  assert.equal(roundReasonText('round 1 split 2 approved, 1 rejected: the sages read each other\'s answers and vote again'), 'round 1 split 2 approved, 1 rejected: the sages read each other\'s answers and vote again');
  assert.equal(t('state.stopped'), 'STOPPED');
  assert.equal(serverMessage('unavailable', 'The store is unavailable; try again shortly.'), 'The store is unavailable; try again shortly.', 'in English, the server\'s words');
});
