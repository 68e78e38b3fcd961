// Redaction: whole payload values hidden with the shape kept, and personal data and secrets
// masked by pattern in whatever text stays visible — without eating timestamps, ids or numbers.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { maskPii, maskPiiJson, REDACTED, redactJson, redactText } from '../../src/domain/redact.js';

describe('maskPii', () => {
  it('masks e-mail addresses, phone numbers, card numbers, SSNs and API keys by kind', () => {
    const cases: [string, string][] = [
      ['write to jane.doe@example.com today', 'write to ‹email› today'],
      ['ana+billing@mail.example.co.uk', '‹email›'],
      ['call +1 415 555 0134 now', 'call ‹phone› now'],
      ['(212) 555-0187', '‹phone›'],
      ['+44 20 7946 0958', '‹phone›'],
      ['+14155550134', '‹phone›'],
      ['card 4111 1111 1111 1111 declined', 'card ‹card› declined'],
      ['5555-5555-5555-4444', '‹card›'],
      ['amex 3782 822463 10005', 'amex ‹card›'],
      ['4111111111111111', '‹card›'],
      ['ssn 078-05-1120', 'ssn ‹ssn›'],
      ['key sk-live-abcdef0123456789XYZ', 'key ‹key›'],
      ['sk-lf-1234abcd-5678-90ef-aaaa-bbbbccccdddd', '‹key›'],
      ['ghp_abcdefghijklmnopqrstuvwxyz0123456789', '‹key›'],
      ['AKIAIOSFODNN7EXAMPLE', '‹key›'],
      ['Authorization: Bearer abc.def-ghi_jkl012345', 'Authorization: Bearer ‹key›'],
      ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'jwt ‹key›'],
    ];
    for (const [input, expected] of cases) assert.equal(maskPii(input), expected, input);
  });

  it('leaves what is not personal data alone: times, dates, ids, amounts, versions, short numbers', () => {
    const keep = [
      '2026-11-24T10:00:00.000Z',
      '2026-11-24',
      'took 1234567 ms',
      'order ord_1003 total 42.50',
      'release v1.8.2 build 20261124',
      'trace demo-000004-agent3f2a',
      '4111 1111 1111 1112', // fails the Luhn check
      'upstream timeout after 30s',
      'bytes_read 48000000',
      'key: customer:42',
    ];
    for (const text of keep) assert.equal(maskPii(text), text, text);
  });

  it('redactText keeps null and undefined', () => {
    assert.equal(redactText(null), null);
    assert.equal(redactText(undefined), undefined);
    assert.equal(redactText('mail bob@example.com'), 'mail ‹email›');
  });
});

describe('redactJson', () => {
  it('hides every value and keeps the shape; keys that are personal data are masked', () => {
    const shown = redactJson({
      messages: [{ role: 'user', content: 'my card 4111 1111 1111 1111' }],
      'jane@example.com': { visits: 3 },
      nested: '{"phone":"+1 415 555 0134"}',
    });
    assert.deepEqual(shown, {
      messages: [{ role: REDACTED, content: REDACTED }],
      '‹email›': { visits: REDACTED },
      nested: { phone: REDACTED },
    });
  });

  it('maskPiiJson keeps the text and masks only the patterns', () => {
    assert.deepEqual(maskPiiJson({ message: 'Hi, Jane (jane.doe@example.com, +1 415 555 0134)', n: 3, ok: true, none: null }), {
      message: 'Hi, Jane (‹email›, ‹phone›)',
      n: 3,
      ok: true,
      none: null,
    });
  });
});
