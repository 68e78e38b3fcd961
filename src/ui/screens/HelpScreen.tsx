// `?`: every key, rendered from the one keymap table.
import React from 'react';
import { Box, Text } from 'ink';
import { KEYMAP } from '../keymap.js';
import { fitWidth } from '../../domain/sanitize.js';
import { theme } from '../theme.js';
import { TYPE_MARKERS } from '../../domain/trace-tree.js';

// The trace view's row legend, above the keys.
const LEGEND = [
  `types: ${Object.entries(TYPE_MARKERS).map(([type, letter]) => `${letter} ${type.toLowerCase()}`).join('  ')}`,
  'rows: - open  + closed (+N hidden below)  > search match  * critical path  xN a group of N similar rows, !N its errors',
];

export function HelpScreen({ width, height }: { width: number; height: number }) {
  const keyWidth = Math.min(18, Math.max(10, Math.floor(width * 0.3)));
  const lines = KEYMAP.map((binding) => (
    <Text key={binding.command} wrap="truncate-end">
      <Text color={theme.key}>{fitWidth(binding.keys.join(' '), keyWidth)}</Text> {binding.description}
      <Text color={theme.muted}> ({binding.screens.join(', ')})</Text>
    </Text>
  ));
  return (
    <Box flexDirection="column" height={height}>
      <Text bold color={theme.accent}>
        tracetop keys — Esc or ? to close
      </Text>
      {LEGEND.map((line) => (
        <Text key={line} color={theme.muted} wrap="truncate-end">
          {line}
        </Text>
      )).slice(0, Math.max(0, height - 1))}
      {lines.slice(0, Math.max(0, height - 1 - LEGEND.length))}
    </Box>
  );
}
