// What the last action said ("copied trace id …", "scored groundedness=0.8", an error), above
// the status bar: in full, wrapped to at most three lines, and only on the screen it belongs to.
import React from 'react';
import { Box, Text } from 'ink';
import { sanitizeText } from '../../domain/sanitize.js';
import type { TuiState } from '../../store/store.js';
import { wrapWords } from '../detail-lines.js';
import { theme } from '../theme.js';

export const MESSAGE_MAX_ROWS = 3;

/** The message shown on the screen on top now, if any. */
export function currentMessage(state: Pick<TuiState, 'message' | 'messageScreen' | 'screens'>): string | null {
  if (!state.message) return null;
  return state.messageScreen === null || state.messageScreen === state.screens.at(-1) ? state.message : null;
}

/** The message's lines at a width (the last column is left empty, as in the status bar). */
export function messageLines(message: string | null, width: number): string[] {
  if (!message) return [];
  const lines = wrapWords(sanitizeText(message), Math.max(10, width - 1));
  if (lines.length <= MESSAGE_MAX_ROWS) return lines;
  const kept = lines.slice(0, MESSAGE_MAX_ROWS);
  kept[MESSAGE_MAX_ROWS - 1] = `${kept[MESSAGE_MAX_ROWS - 1]!.slice(0, Math.max(0, width - 4))}...`;
  return kept;
}

export function MessageLine({ lines, width }: { lines: string[]; width: number }) {
  if (lines.length === 0) return null;
  return (
    <Box flexDirection="column" width={width} height={lines.length}>
      {lines.map((line, index) => (
        <Text key={index} color={theme.accent} wrap="truncate-end">
          {line}
        </Text>
      ))}
    </Box>
  );
}
