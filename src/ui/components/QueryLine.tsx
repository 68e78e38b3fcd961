// The `/` query line: the filter being typed, and as you type, how many buffered traces it
// matches or what is wrong with it.
import React from 'react';
import { Text } from 'ink';
import { sanitizeLine } from '../../domain/sanitize.js';
import { useTui } from '../store-context.js';
import { theme } from '../theme.js';

export function QueryLine({ width }: { width: number }) {
  const query = useTui((state) => state.query);
  if (!query) return null;
  const status = query.error ? `  ✗ ${query.error}` : `  ${query.matches ?? 0} buffered match`;
  const room = Math.max(4, width - 2 - Math.min(status.length, Math.floor(width / 2)));
  // Show the end of a long query: that is where the cursor is.
  const text = query.text.length > room - 1 ? `…${query.text.slice(-(room - 2))}` : query.text;
  return (
    <Text wrap="truncate-end">
      <Text color={theme.accent}>/</Text>
      {sanitizeLine(text, room)}
      <Text inverse> </Text>
      <Text color={query.error ? theme.error : theme.muted}>{sanitizeLine(status, Math.max(0, width - room - 2))}</Text>
    </Text>
  );
}
