// The `:` command line (k9s style), shared by every screen: `:datasets`, `:top model`,
// `:prompts support-agent`, `:q`. Tab completes the command; Enter runs it; Esc cancels.
import React from 'react';
import { Text } from 'ink';
import { sanitizeLine } from '../../domain/sanitize.js';
import type { KeyPress } from '../../ports/keys.js';
import { COMMANDS } from '../../store/slices/command-line.js';
import type { TuiState } from '../../store/store.js';
import { useTui } from '../store-context.js';
import { theme } from '../theme.js';

/** One keystroke while the command line is open; 'quit' when the command says so. */
export function commandLineKey(state: TuiState, input: string, key: KeyPress & { meta?: boolean }): 'quit' | null {
  const { commandLine, actions } = state;
  if (!commandLine) return null;
  if (key.escape) return actions.cancelCommandLine(), null;
  if (key.return) return actions.runCommandLine();
  if (key.tab) return actions.completeCommandLine(), null;
  if (key.backspace || key.delete) {
    // Backspace on an empty line closes it, as in vim and k9s.
    if (commandLine.text === '') actions.cancelCommandLine();
    else actions.editCommandLine(commandLine.text.slice(0, -1));
    return null;
  }
  if (key.ctrl && input === 'u') return actions.editCommandLine(''), null;
  if (input && !key.ctrl && !key.meta && !key.upArrow && !key.downArrow) actions.editCommandLine(commandLine.text + input);
  return null;
}

export function CommandLine({ width }: { width: number }) {
  const line = useTui((state) => state.commandLine);
  if (!line) return null;
  const hint = line.hint ?? (line.text === '' ? `${COMMANDS.map((command) => command.name).join(' ')}  (Tab completes, Enter runs, Esc cancels)` : '');
  const room = Math.max(4, width - 3 - Math.min(hint.length + 2, Math.floor(width / 2)));
  const text = line.text.length > room - 1 ? `~${line.text.slice(-(room - 2))}` : line.text;
  return (
    <Text wrap="truncate-end">
      <Text color={theme.accent} bold>:</Text>
      {sanitizeLine(text, room, '~')}
      <Text inverse> </Text>
      <Text color={line.error ? theme.error : theme.muted}>{sanitizeLine(hint ? `  ${hint}` : '', Math.max(0, width - 3 - text.length), '~')}</Text>
    </Text>
  );
}
