// verdict.test.mjs — the page's split of an answer into prose and its own
// verdict, in node: the same module the page uses, the server's rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitVerdict } from '../static/js/verdict.js';

const V = '{"decision": "APPROVED", "confidence": 0.8, "summary": "Go {ahead}.", "conditions": []}';
const FENCED = `\`\`\`json\n${V}\n\`\`\``;

const cases = [
  ['a json fence at the end (the simulator, most models)', `Prose here.\n\nMore prose.\n\n${FENCED}\n`, 'Prose here.\n\nMore prose.', V],
  ['a bare object at the end', `Prose.\n\n${V}`, 'Prose.', V],
  ['an indented multi-line object', 'Prose.\n\n```json\n{\n  "decision": "REJECTED",\n  "scores": {"melchior": 80}\n}\n```', 'Prose.',
    '{\n  "decision": "REJECTED",\n  "scores": {"melchior": 80}\n}'],
  ['a sentence after the verdict stays', `Prose.\n\n${FENCED}\n\nThat is my vote.`, 'Prose.\n\nThat is my vote.', V],
  ['a label line before the verdict goes with it', `Prose.\n\n## Verdict\n\n${FENCED}`, 'Prose.', V],
  ['**Verdict:** label', `Prose.\n\n**Verdict:**\n${V}`, 'Prose.', V],
  ['a blockquoted verdict is quoted, the last own one is taken', `> ${V}\n\nMine:\n\n${FENCED}`, `> ${V}\n\nMine:`, V],
  ['inline code in a sentence is not a verdict', 'Write `{"decision": "APPROVED"}` at the end.', 'Write `{"decision": "APPROVED"}` at the end.', ''],
  ['no verdict at all', 'Just prose, no vote.', 'Just prose, no vote.', ''],
  ['streaming: the verdict being written is left out', 'Prose.\n\n```json\n{\n  "decision": "APPR', 'Prose.', '{\n  "decision": "APPR'],
  ['streaming: a json fence just opened', 'Prose.\n\n```json\n', 'Prose.', ''],
  ['streaming: a json fence with a brace', 'Prose.\n\n```json\n{\n  "deci', 'Prose.', ''],
  ['a closed json fence without a decision stays', 'Prose.\n\n```json\n[1, 2]\n```', 'Prose.\n\n```json\n[1, 2]\n```', ''],
  ['Japanese label', `本文。\n\n評決：\n${FENCED}`, '本文。', V],
];

for (const [name, text, prose, verdict] of cases) {
  test(`splitVerdict: ${name}`, () => {
    const got = splitVerdict(text);
    assert.equal(got.prose, prose);
    assert.equal(got.verdict, verdict);
  });
}

test('splitVerdict: stray braces in the prose do not hide the verdict', () => {
  const got = splitVerdict(`${'x { y '.repeat(2000)}\n\n${'{a} '.repeat(2000)}\n\n${FENCED}`);
  assert.equal(got.verdict, V);
  assert.ok(!got.prose.includes('"decision"'));
});
