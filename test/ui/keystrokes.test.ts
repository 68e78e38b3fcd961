// Keys that arrive in one chunk are the keystrokes they were (issue 17, item 5).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { splitKeystrokes } from '../../src/ui/keystrokes.js';
import { previewQuery, joinedCondition } from '../../src/ui/query-preview.js';

describe('keystrokes in a chunk', () => {
  it('splits text, Enter, Backspace, Tab, Esc and Ctrl-letters', () => {
    assert.deepEqual(splitKeystrokes('/abc', {}), [
      { input: '/', key: {} },
      { input: 'a', key: {} },
      { input: 'b', key: {} },
      { input: 'c', key: {} },
    ]);
    assert.deepEqual(splitKeystrokes('/\x15', {}), [
      { input: '/', key: {} },
      { input: 'u', key: { ctrl: true } },
    ]);
    assert.deepEqual(splitKeystrokes('0.7\r', {}).at(-1), { input: '', key: { return: true } });
    assert.deepEqual(splitKeystrokes('a\x7f\t', {}).slice(1), [
      { input: '', key: { backspace: true } },
      { input: '', key: { tab: true } },
    ]);
  });

  it('Esc and a key in one chunk (what Ink reads as Alt+key) are Esc, then the key', () => {
    assert.deepEqual(splitKeystrokes('q', { meta: true } as never), [
      { input: '', key: { escape: true } },
      { input: 'q', key: {} },
    ]);
  });

  it('leaves a key Ink already named alone', () => {
    assert.deepEqual(splitKeystrokes('u', { ctrl: true }), [{ input: 'u', key: { ctrl: true } }]);
    assert.deepEqual(splitKeystrokes('', { upArrow: true }), [{ input: '', key: { upArrow: true } }]);
    assert.deepEqual(splitKeystrokes('é', {}), [{ input: 'é', key: {} }]);
  });
});

describe('the query line says what Enter will do', () => {
  it('conditions in words, and the buffered match count', () => {
    const preview = previewQuery('tag:production name:checkout-flow-3', 3, null);
    assert.equal(preview.kind, 'ok');
    assert.equal(preview.text, '3 buffered matches; Enter keeps traces with tag production and name checkout-flow-3');
    assert.match(previewQuery('', 10, null).text, /no filter/);
    assert.equal(previewQuery('usr:x', null, 'unknown key "usr"').kind, 'error');
  });

  it('warns when two conditions ran together into one value', () => {
    assert.match(joinedCondition('tag:productionname:checkout-flow-3')!, /one tag value: a space before name:\?/);
    const preview = previewQuery('tag:productionname:checkout-flow-3', 0, null);
    assert.equal(preview.kind, 'warning');
    assert.equal(joinedCondition('tag:production name:checkout-flow-3'), null);
    assert.equal(joinedCondition('from:2026-11-24T10:00:00Z'), null);
    assert.equal(joinedCondition('"http://example.com/a:b"'), null);
  });
});
