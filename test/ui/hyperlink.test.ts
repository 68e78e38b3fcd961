import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { osc8 } from '../../src/ui/hyperlink.js';

describe('OSC 8 links', () => {
  it('links a safe URL and refuses anything that could break out of the sequence', () => {
    assert.equal(osc8('https://cloud.langfuse.com/project/p/traces/t1', 't1'), '\x1b]8;;https://cloud.langfuse.com/project/p/traces/t1\x07t1\x1b]8;;\x07');
    for (const hostile of ['https://x/\x07\x1b[2J', 'javascript:alert(1)', 'https://x/\x1b\\', 'file:///etc/passwd', 'https://x/a\u009b31m']) {
      const out = osc8(hostile, 'label');
      assert.ok(out === 'label' || !/[\x00-\x06\x08-\x1a\x1c-\x1f\x7f\u0080-\u009f]/.test(out.replace(/^\x1b\]8;;/, '').replace(/\x07label\x1b\]8;;\x07$/, '')), JSON.stringify(out));
    }
    assert.equal(osc8('javascript:alert(1)', 'label'), 'label');
  });
});
