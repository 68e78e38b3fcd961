// `?`: every key, rendered from the one keymap table.
import React from 'react';
import { Box, Text } from 'ink';
import { KEYMAP } from '../keymap.js';
import { fitWidth } from '../../domain/sanitize.js';
import { theme } from '../theme.js';

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
      {lines.slice(0, Math.max(0, height - 1))}
    </Box>
  );
}
