// The title line of a slice screen: what it shows, whether its data is loading, refreshing or
// failed (with the reason), and a hint of its keys when there is room.
import React from 'react';
import { Text } from 'ink';
import { sanitizeLine, stringWidth } from '../../domain/sanitize.js';
import type { Loadable } from '../../store/slices/index.js';
import { theme } from '../theme.js';

export function Title({ text, loadable, width, hint }: { text: string; loadable?: Loadable<unknown>; width: number; hint?: string }) {
  const status = loadable?.state === 'loading' ? (loadable.data ? ' (refreshing)' : ' (loading)') : loadable?.state === 'error' ? ` (failed: ${loadable.error})` : '';
  const room = Math.max(0, width - 1);
  const main = sanitizeLine(text + status, room, '~');
  return (
    <Text wrap="truncate-end">
      <Text bold color={loadable?.state === 'error' ? theme.error : theme.accent}>{main}</Text>
      {hint && stringWidth(main) + 2 < room ? <Text color={theme.muted}>{sanitizeLine(`  ${hint}`, room - stringWidth(main), '~')}</Text> : null}
    </Text>
  );
}

