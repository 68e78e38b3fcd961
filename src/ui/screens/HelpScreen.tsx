// `?`: every key, rendered from the one keymap table, wrapped to the terminal and scrolled with
// j/k, PgDn/PgUp, g/G; the title says where you are and the last line that there is more.
import React from 'react';
import { Box, Text } from 'ink';
import { KEYMAP } from '../keymap.js';
import { fitWidth } from '../../domain/sanitize.js';
import { theme } from '../theme.js';
import { TYPE_MARKERS } from '../../domain/trace-tree.js';
import { wrapWords } from '../detail-lines.js';
import { useTui } from '../store-context.js';
import { COMMANDS } from '../../store/slices/command-line.js';

// The trace view's row legend, above the keys.
const LEGEND = [
  `types: ${Object.entries(TYPE_MARKERS).map(([type, letter]) => `${letter} ${type.toLowerCase()}`).join('  ')}`,
  'rows: - open  + closed (+N hidden below)  > search match  * critical path  ! error  xN a group of N similar rows, !N its errors',
  `: commands: ${COMMANDS.map((command) => `:${command.name}${command.argument ? ` [${command.argument}]` : ''} ${command.description}`).join(';  ')}`,
  'compare: + improved  - regressed  ? a run lacks the item  a>b +d a score from base to new and its change  |  top: NEW appeared  ERR! errors rose  GONE left the window  ! a bucket with errors  ~ fewer than 20 rows',
];

export interface HelpLine {
  kind: 'legend' | 'key';
  /** The key column (first line of a binding only). */
  keys: string;
  text: string;
  screens: string;
}

const cache = new Map<number, HelpLine[]>();

/** Every screen some key works on. */
const EVERY_SCREEN = new Set(KEYMAP.flatMap((binding) => binding.screens));

/** Where a key works, in few words: "everywhere" rather than a dozen screen names. */
function screensText(screens: readonly string[]): string {
  const on = new Set(screens);
  const missing = [...EVERY_SCREEN].filter((screen) => !on.has(screen) && screen !== 'help');
  if (missing.length === 0) return 'everywhere';
  if (missing.length <= 2 && screens.length > 6) return `everywhere but ${missing.join(', ')}`;
  return screens.filter((screen) => screen !== 'help').join(', ') || 'help';
}

/** The help's lines at a width: the legend, then each key with its description wrapped under it. */
export function helpLines(width: number): HelpLine[] {
  const cached = cache.get(width);
  if (cached) return cached;
  const keyWidth = Math.min(18, Math.max(10, Math.floor(width * 0.3)));
  const lines: HelpLine[] = [];
  for (const legend of LEGEND) for (const text of wrapWords(legend, width - 1)) lines.push({ kind: 'legend', keys: '', text, screens: '' });
  for (const binding of KEYMAP) {
    const screens = ` (${screensText(binding.screens)})`;
    const wrapped = wrapWords(`${binding.description}${screens}`, Math.max(10, width - keyWidth - 2));
    wrapped.forEach((text, index) => {
      // The screens in muted colour: the tail of the last line.
      const isLast = index === wrapped.length - 1;
      const cut = isLast && text.endsWith(screens.trim()) ? text.length - screens.trim().length : text.length;
      lines.push({ kind: 'key', keys: fitWidth(index === 0 ? binding.keys.join(' ') : '', keyWidth), text: text.slice(0, cut), screens: text.slice(cut) });
    });
  }
  cache.set(width, lines);
  return lines;
}

export const helpLineCount = (width: number): number => helpLines(width).length;

/** Help lines shown at once in a screen `height` tall: the title and the last line (more below / end) take two. */
export const helpPageHeight = (height: number): number => Math.max(1, height - 2);

export function HelpScreen({ width, height }: { width: number; height: number }) {
  const scroll = useTui((state) => state.helpScroll);
  const lines = helpLines(width);
  const fits = lines.length <= height - 1;
  const room = fits ? lines.length : helpPageHeight(height);
  const top = fits ? 0 : Math.max(0, Math.min(scroll, lines.length - room));
  const shown = lines.slice(top, top + room);
  const below = lines.length - top - shown.length;
  const position = fits ? '' : `  lines ${top + 1}-${top + shown.length} of ${lines.length}; j/k PgDn/PgUp g/G scroll`;
  const rows = shown.map((line, index) => (
    <Text key={top + index} wrap="truncate-end">
      {line.kind === 'legend' ? (
        <Text color={theme.muted}>{line.text}</Text>
      ) : (
        <>
          <Text color={theme.key}>{line.keys}</Text> {line.text}
          <Text color={theme.muted}>{line.screens}</Text>
        </>
      )}
    </Text>
  ));
  if (!fits) {
    rows.push(
      <Text key="more" bold wrap="truncate-end">
        {below > 0 ? `-- ${below} more line${below === 1 ? '' : 's'} below: j, PgDn or G --` : '-- end of the keys: k, PgUp or g for the top --'}
      </Text>,
    );
  }
  return (
    <Box flexDirection="column" height={height}>
      <Text bold color={theme.accent} wrap="truncate-end">
        {`tracetop keys — Esc or ? closes${position}`}
      </Text>
      {rows}
    </Box>
  );
}
