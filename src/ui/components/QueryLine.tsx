// The `/` query line: the filter being typed, and under it what Enter will do — how many
// buffered traces match, the conditions as read, or what is wrong — in full (wrapped to two
// lines at most). It opens with the current filter and a space after it, so typing adds a
// condition (Ctrl-U clears the line).
import React from 'react';
import { Box, Text } from 'ink';
import { sanitizeLine, sanitizeText, stringWidth } from '../../domain/sanitize.js';
import type { QueryLine as Query } from '../../store/store.js';
import { useTui } from '../store-context.js';
import { theme } from '../theme.js';
import { previewQuery } from '../query-preview.js';
import { wrapWords } from '../detail-lines.js';

/** Shown after the preview where it fits. */
const KEYS_HINT = '  (Enter applies, Esc cancels, Ctrl-U clears)';

/** The preview's lines at a width: at most two, the keys hint only where it fits on the first. */
function previewLines(query: Query, width: number): { lines: string[]; kind: 'ok' | 'warning' | 'error' } {
  const preview = previewQuery(query.text, query.matches, query.error);
  const history = query.historyIndex === null ? '' : '  (↑/↓ history)';
  const text = sanitizeText(`${preview.text}${history}`);
  const room = Math.max(10, width - 3);
  const lines = wrapWords(text, room);
  if (lines.length === 1 && stringWidth(text) + KEYS_HINT.length <= room) return { lines: [`${text}${KEYS_HINT}`], kind: preview.kind };
  if (lines.length > 2) lines.splice(1, lines.length - 1, `${lines[1]!.slice(0, room - 3)}...`);
  return { lines, kind: preview.kind };
}

/** Rows the query line takes while open: the input and the preview (one or two lines). */
export function queryLineRows(query: Query | null, width: number): number {
  return query ? 1 + previewLines(query, width).lines.length : 0;
}

export function QueryLine({ width }: { width: number }) {
  const query = useTui((state) => state.queryLine.open);
  if (!query) return null;
  const room = Math.max(4, width - 3);
  // Show the end of a long query: that is where the cursor is.
  const text = query.text.length > room - 1 ? `…${query.text.slice(-(room - 2))}` : query.text;
  const preview = previewLines(query, width);
  const colour = preview.kind === 'error' ? theme.error : preview.kind === 'warning' ? theme.warning : theme.muted;
  return (
    <Box flexDirection="column" width={width} height={1 + preview.lines.length}>
      <Text wrap="truncate-end">
        <Text color={theme.accent} bold>/</Text>
        {sanitizeLine(text, room)}
        <Text inverse> </Text>
      </Text>
      {preview.lines.map((line, index) => (
        <Text key={index} color={colour} bold={preview.kind !== 'ok'} wrap="truncate-end">
          {`  ${line}`}
        </Text>
      ))}
    </Box>
  );
}
