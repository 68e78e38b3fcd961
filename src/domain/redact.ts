// Redaction for screen-sharing during an incident: payload values and user/session ids are
// replaced by a placeholder, while the shape (keys, array lengths), timings, levels and scores
// stay visible.

export const REDACTED = '‹redacted›';

export function redactJson(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value;
  if (depth > 50) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactJson(item, depth + 1));
  if (typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(result, key, { value: redactJson(item, depth + 1), enumerable: true, writable: true, configurable: true });
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
