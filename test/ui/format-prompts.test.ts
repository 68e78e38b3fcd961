// Prompt versions as text and as a line-aligned diff with word marks, in pure functions.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { documentLines, formatLabels, plainDiffLine, versionDiff, versionHeader, versionText, wrapSegments } from '../../src/ui/format-prompts.js';
import type { PromptVersion } from '../../src/ports/prompts.js';

const v = (version: number, prompt: PromptVersion['prompt'], extra: Partial<PromptVersion> = {}): PromptVersion => ({ name: 'support-agent', version, type: typeof prompt === 'string' ? 'text' : 'chat', prompt, config: {}, labels: [], tags: [], commitMessage: null, ...extra });

describe('format-prompts', () => {
  it('labels in brackets read without colour', () => {
    assert.equal(formatLabels(['production', 'latest']), '[production] [latest]');
  });

  it('marks {{variables}} in the text; chat prompts read as messages under their role; the config apart', () => {
    const lines = versionText(v(1, [{ role: 'system', content: 'You work for {{company}}.' }, { role: 'user', content: '{{question}}' }], { config: { temperature: 0.2, model: 'm' } }), 80);
    assert.deepEqual(lines.map((line) => line.segments.map((s) => s.text).join('')), ['system:', '  You work for {{company}}.', 'user:', '  {{question}}', '', 'config:', '  {', '    "model": "m",', '    "temperature": 0.2', '  }']);
    assert.deepEqual(lines[1]!.segments.map((s) => [s.text, s.kind]), [['  You work for ', 'plain'], ['{{company}}', 'variable'], ['.', 'plain']]);
    assert.equal(lines[0]!.segments[0]!.kind, 'role');
  });

  it('diffs line by line and marks the changed words inside a changed line ([-old-]{+new+} without colour)', () => {
    const before = v(1, 'Answer {{question}} for {{company}}.\nBe brief.');
    const after = v(2, 'Answer {{question}} politely for {{company}}.\nBe brief.\nCite the documents.');
    const diff = versionDiff(before, after, 80).map(plainDiffLine);
    assert.deepEqual(diff, ['- Answer {{question}} for {{company}}.', '+ Answer {{question}} {+politely +}for {{company}}.', '  Be brief.', '+ Cite the documents.']);
    const removed = versionDiff(v(1, 'keep\nold line'), v(2, 'keep'), 80).map(plainDiffLine);
    assert.deepEqual(removed, ['  keep', '- old line']);
    const reworded = versionDiff(v(1, 'answer briefly and be terse'), v(2, 'answer briefly and be polite'), 80).map(plainDiffLine);
    assert.deepEqual(reworded, ['- answer briefly and be [-terse-]', '+ answer briefly and be {+polite+}']);
    // A line rewritten whole reads as one line out and one in, not as a confetti of marked words.
    const rewritten = versionDiff(v(1, 'Answer the question: {{question}}'), v(2, 'You are a support agent for {{company}}.'), 80).map(plainDiffLine);
    assert.deepEqual(rewritten, ['- Answer the question: {{question}}', '+ You are a support agent for {{company}}.']);
  });

  it('wraps at spaces, never cutting a word that fits, and marks continuations', () => {
    const lines = versionText(v(1, 'aaaa bbbb cccc dddd eeee'), 10);
    assert.deepEqual(lines.map((line) => line.segments.map((s) => s.text).join('').trimEnd()), ['aaaa bbbb', 'cccc dddd', 'eeee']);
    assert.deepEqual(lines.map((line) => Boolean(line.continued)), [false, true, true]);
    const long = wrapSegments([{ text: 'x'.repeat(25), kind: 'plain' }], 10);
    assert.deepEqual(long.map((line) => line[0]!.text), ['xxxxxxxxxx', 'xxxxxxxxxx', 'xxxxx']);
  });

  it('headers say which versions and both commit messages', () => {
    const header = versionHeader('support-agent', v(3, 'b', { commitMessage: 'polite', labels: ['production'] }), v(2, 'a', { commitMessage: 'terse' }));
    assert.deepEqual(header, { title: 'support-agent v2 -> v3', commits: ['v2: "terse"', 'v3: "polite" [production]'] });
  });

  it('control characters in a prompt are made visible, not sent to the terminal', () => {
    const text = documentLines(v(1, 'hi\u001b]52;c;evil\u0007')).map((line) => line.text).join('');
    assert.ok(!/[\u001b\u0007]/.test(text));
  });
});
