// Redaction for screen-sharing during an incident. Two layers:
// - payload values and user/session ids are replaced by a placeholder, while the shape (keys,
//   array lengths), timings, levels and scores stay visible;
// - personal data and secrets by pattern — e-mail addresses, phone numbers, card numbers
//   (Luhn-checked), US social security numbers and API keys/tokens — are masked wherever text
//   stays visible under redaction (object keys, names, status messages, tags), each by what
//   it was (`‹email›`, `‹phone›` …), so the screen still reads.

import type { TraceWithFullDetails } from './types.js';

export const REDACTED = '‹redacted›';

/** True when the digits pass the Luhn check (card numbers do; most other long numbers do not). */
function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

const PATTERNS: { mask: string; pattern: RegExp; accept?: (match: string) => boolean }[] = [
  // Secrets first: a key can contain digit runs that would read as a phone number.
  {
    mask: '‹key›',
    pattern:
      /\b(?:(?:sk|pk|rk)[-_](?:live|test|lf|proj|ant)?[-_]?[A-Za-z0-9_-]{12,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})/g,
  },
  { mask: 'Bearer ‹key›', pattern: /\bBearer\s+[A-Za-z0-9._~+/=-]{12,}/g },
  { mask: '‹email›', pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g },
  {
    mask: '‹card›',
    pattern: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g,
    accept: (match) => luhn(match.replace(/\D/g, '')),
  },
  { mask: '‹ssn›', pattern: /(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])/g },
  {
    mask: '‹phone›',
    // +CC and separated groups ("+1 415 555 0134", "(212) 555-0187", "020 7946 0958"), or a bare
    // E.164 number; never an ISO date or time (those have exactly 8 digits or colons).
    pattern: /(?<![\w+]|\d[ .-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{3,4}(?![\w]|[ .-]\d)|(?<![\w+])\+\d{8,15}(?!\w)/g,
    accept: (match) => match.replace(/\D/g, '').length >= 9,
  },
];

/** Text with personal data and secrets masked by kind; the rest as it was. */
export function maskPii(text: string): string {
  let out = text;
  for (const { mask, pattern, accept } of PATTERNS) {
    out = out.replace(pattern, (match) => (accept && !accept(match) ? match : mask));
  }
  return out;
}

export function redactJson(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value;
  if (depth > 50) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactJson(item, depth + 1));
  if (typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // Keys stay (the structure), unless a key is itself personal data (`{"jane@x.com": …}`).
      Object.defineProperty(result, maskPii(key), { value: redactJson(item, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return result;
  }
  if (typeof value === 'string') {
    // Langfuse v4 returns payloads as JSON strings: keep their shape too.
    const trimmed = value.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        return redactJson(JSON.parse(trimmed), depth + 1);
      } catch {
        return REDACTED;
      }
    }
  }
  return REDACTED;
}

export const redactId = (id: string | null | undefined): string | null => (id ? REDACTED : null);

/** Text that stays visible under redaction (a name, a status message, a tag): PII masked. */
export const redactText = <T extends string | null | undefined>(text: T): T => (typeof text === 'string' ? (maskPii(text) as T) : text);

/** A payload with PII masked inside its strings and everything else kept (a lighter level). */
export function maskPiiJson(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPii(value);
  if (value === null || typeof value !== 'object' || depth > 50) return value;
  if (Array.isArray(value)) return value.map((item) => maskPiiJson(item, depth + 1));
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(result, maskPii(key), { value: maskPiiJson(item, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return result;
}

/**
 * A whole trace as redaction shows it: payloads and user/session ids hidden, score comments
 * hidden, and PII masked in the names, tags and status messages that stay visible.
 */
export function redactTrace<T extends TraceWithFullDetails>(trace: T): T {
  return {
    ...trace,
    name: redactText(trace.name),
    userId: redactId(trace.userId),
    sessionId: redactId(trace.sessionId),
    tags: trace.tags.map((tag) => maskPii(tag)),
    input: redactJson(trace.input),
    output: redactJson(trace.output),
    metadata: redactJson(trace.metadata),
    scores: trace.scores.map((score) => ({ ...score, ...(score.comment ? { comment: REDACTED } : {}) })),
    observations: trace.observations.map((o) => ({
      ...o,
      name: redactText(o.name),
      statusMessage: redactText(o.statusMessage),
      input: redactJson(o.input),
      output: redactJson(o.output),
      metadata: redactJson(o.metadata),
    })),
  };
}
