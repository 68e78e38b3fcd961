// Every key tracetop answers to, as named commands in one table: the input handler looks keys
// up here and the help screen (`?`) is rendered from it, so the two cannot disagree.

import type { Screen } from '../store/store.js';

export type Command =
  | 'cursor.down'
  | 'cursor.up'
  | 'cursor.top'
  | 'cursor.bottom'
  | 'page.down'
  | 'page.up'
  | 'halfpage.down'
  | 'halfpage.up'
  | 'open'
  | 'back'
  | 'follow.toggle'
  | 'node.collapse'
  | 'node.expand'
  | 'tree.expandAll'
  | 'tree.collapseAll'
  | 'focus.toggle'
  | 'sessions'
  | 'tree.deeper'
  | 'tree.shallower'
  | 'span.search'
  | 'span.next'
  | 'span.previous'
  | 'tree.errors'
  | 'tree.critical'
  | 'tree.slow'
  | 'tree.matches'
  | 'tree.autogroup'
  | 'tree.zoom'
  | 'redact'
  | 'copy'
  | 'score'
  | 'score.quick'
  | 'score.undo'
  | 'filter.open'
  | 'filter.user'
  | 'filter.session'
  | 'filter.tag'
  | 'help'
  | 'quit'
  // The slice screens' (src/store/slices): `:`, datasets, prompts, top.
  | 'command.open'
  | 'mark'
  | 'compare.previous'
  | 'compare.sort'
  | 'compare.regressions'
  | 'compare.improvements'
  | 'compare.swap'
  | 'compare.base'
  | 'prompt.diff'
  | 'prompt.traces'
  | 'window.cycle'
  | 'refresh'
  | 'top.by'
  | 'sort.left'
  | 'sort.right'
  | 'sort.invert'
  | 'freeze';

export interface KeyBinding {
  command: Command;
  /** How the help screen names the keys. */
  keys: string[];
  description: string;
  screens: Screen[];
}

export const KEYMAP: KeyBinding[] = [
  { command: 'cursor.down', keys: ['↓', 'j'], description: 'next row (in the detail pane and help: scroll)', screens: ['list', 'trace', 'help', 'sessions', 'session'] },
  { command: 'cursor.up', keys: ['↑', 'k'], description: 'previous row', screens: ['list', 'trace', 'help', 'sessions', 'session'] },
  { command: 'cursor.top', keys: ['g', 'Home'], description: 'first row (the list: newest, and follow)', screens: ['list', 'trace', 'help', 'sessions', 'session'] },
  { command: 'cursor.bottom', keys: ['G', 'End'], description: 'last row', screens: ['list', 'trace', 'help', 'sessions', 'session'] },
  { command: 'halfpage.down', keys: ['Ctrl-d'], description: 'half a page down', screens: ['list', 'trace', 'help', 'sessions', 'session'] },
  { command: 'halfpage.up', keys: ['Ctrl-u'], description: 'half a page up', screens: ['list', 'trace', 'help', 'sessions', 'session'] },
  { command: 'page.down', keys: ['PgDn', 'Ctrl-f'], description: 'a page down', screens: ['list', 'trace', 'help', 'sessions', 'session'] },
  { command: 'page.up', keys: ['PgUp', 'Ctrl-b'], description: 'a page up', screens: ['list', 'trace', 'help', 'sessions', 'session'] },
  { command: 'open', keys: ['Enter'], description: 'open the trace, session or turn (in a tree: expand/collapse the node)', screens: ['list', 'trace', 'sessions', 'session'] },
  { command: 'back', keys: ['Esc', 'Backspace'], description: 'back to the previous screen', screens: ['trace', 'help', 'sessions', 'session'] },
  { command: 'copy', keys: ['y'], description: 'copy the selected trace/observation id to the clipboard (OSC 52, works over SSH)', screens: ['list', 'trace'] },
  { command: 'redact', keys: ['R'], description: 'redaction on/off: hide payloads and user/session ids (screen-sharing)', screens: ['list', 'trace', 'sessions', 'session'] },
  { command: 'score', keys: ['s'], description: 'score the selected trace (in a trace: the selected row)', screens: ['list', 'trace'] },
  { command: 'score.quick', keys: ['L'], description: 'quick-label: pick a config, then 1–9 / y / n score each trace and move down', screens: ['list'] },
  { command: 'score.undo', keys: ['u'], description: 'undo the last score made here', screens: ['list', 'trace'] },
  { command: 'sessions', keys: ['C'], description: 'sessions (conversations) among the buffered traces', screens: ['list'] },
  { command: 'follow.toggle', keys: ['Space'], description: 'pause the list / follow the newest again', screens: ['list'] },
  { command: 'node.collapse', keys: ['←', 'h'], description: 'collapse the node (again: go to its parent)', screens: ['trace'] },
  { command: 'node.expand', keys: ['→', 'l'], description: 'expand the node', screens: ['trace'] },
  { command: 'tree.expandAll', keys: ['e', '['], description: 'expand all', screens: ['trace'] },
  { command: 'tree.collapseAll', keys: ['c', ']'], description: 'collapse all', screens: ['trace'] },
  { command: 'tree.deeper', keys: ['o'], description: 'expand one level deeper', screens: ['trace'] },
  { command: 'tree.shallower', keys: ['p'], description: 'collapse the deepest open level', screens: ['trace'] },
  { command: 'span.search', keys: ['/'], description: 'search spans by name, type, model, level, status (Tab while typing: inputs/outputs too; matches marked >)', screens: ['trace'] },
  { command: 'span.next', keys: ['n'], description: 'next search match', screens: ['trace'] },
  { command: 'span.previous', keys: ['N'], description: 'previous search match', screens: ['trace'] },
  { command: 'tree.errors', keys: ['x'], description: 'errors and warnings only (with their ancestors)', screens: ['trace'] },
  { command: 'tree.slow', keys: ['S'], description: 'slow only: over 2 s or the slowest 5% (with their ancestors)', screens: ['trace'] },
  { command: 'tree.matches', keys: ['m'], description: 'search matches only (with their ancestors)', screens: ['trace'] },
  { command: 'tree.critical', keys: ['P'], description: 'critical path: the chain that decided the end time (marked *)', screens: ['trace'] },
  { command: 'tree.autogroup', keys: ['a'], description: 'group similar siblings (5+ of one name and type) into one row xN, or ungroup', screens: ['trace'] },
  { command: 'tree.zoom', keys: ['z'], description: 'zoom the waterfall to the selected subtree (again: whole trace)', screens: ['trace'] },
  { command: 'focus.toggle', keys: ['Tab'], description: 'switch between the tree and the detail pane', screens: ['trace'] },
  { command: 'filter.open', keys: ['/'], description: 'filter: tag:… user:… score:name<0.5 level:error "text" (Enter applies, Esc cancels, ↑/↓ history)', screens: ['list'] },
  { command: 'filter.user', keys: ['U'], description: "filter to the selected trace's user", screens: ['list', 'trace'] },
  { command: 'filter.session', keys: ['E'], description: "filter to the selected trace's session", screens: ['list', 'trace'] },
  { command: 'filter.tag', keys: ['T'], description: "filter to the selected trace's first tag", screens: ['list', 'trace'] },
  { command: 'help', keys: ['?'], description: 'this help', screens: ['list', 'trace', 'help', 'sessions', 'session'] },
  { command: 'quit', keys: ['q', 'Ctrl-c'], description: 'quit (the terminal is restored)', screens: ['list', 'trace', 'help', 'sessions', 'session'] },
];

/** The screens the store's slices add: `:datasets` (datasets, runs, compare), `:prompts` (prompts, versions, prompt), `:top`. */
const SLICE_SCREENS: Screen[] = ['datasets', 'runs', 'compare', 'prompts', 'versions', 'prompt', 'top'];
const EVERY_SCREEN: Screen[] = ['list', 'trace', 'help', 'sessions', 'session', ...SLICE_SCREENS];

KEYMAP.push(
  { command: 'command.open', keys: [':'], description: 'command line: :traces :sessions :datasets :prompts :top (Tab completes; :top model, :prompts NAME, :q)', screens: EVERY_SCREEN },
  { command: 'mark', keys: ['Space', 'm'], description: 'mark a run to compare (two) / a version to diff against', screens: ['runs', 'versions'] },
  { command: 'compare.previous', keys: ['c'], description: 'compare the run with the one before it (Enter: the two marked runs)', screens: ['runs'] },
  { command: 'compare.sort', keys: ['d'], description: "sort by a score's change, worst first (again: the next score, then dataset order)", screens: ['compare'] },
  { command: 'compare.regressions', keys: ['r'], description: 'regressions only (marked -), again: all', screens: ['compare'] },
  { command: 'compare.improvements', keys: ['i'], description: 'improvements only (marked +), again: all', screens: ['compare'] },
  { command: 'compare.swap', keys: ['w'], description: 'swap base and new', screens: ['compare'] },
  { command: 'compare.base', keys: ['b'], description: "open the base run's trace of the item (Enter: the new run's)", screens: ['compare'] },
  { command: 'prompt.diff', keys: ['d'], description: 'diff against the previous (or marked) version; again: the text', screens: ['versions', 'prompt'] },
  { command: 'prompt.traces', keys: ['t'], description: 'the trace list filtered to prompt:NAME@VERSION (Esc comes back)', screens: ['versions', 'prompt'] },
  { command: 'window.cycle', keys: ['w'], description: 'the time window: top 15m/1h/6h/24h/5m, versions 24h/7d/1h', screens: ['versions', 'top'] },
  { command: 'refresh', keys: ['r'], description: 'read the figures again now', screens: ['versions', 'top'] },
  { command: 'top.by', keys: ['b'], description: 'group by: name, model, prompt, release, env, user, tag', screens: ['top'] },
  { command: 'sort.left', keys: ['<'], description: 'sort by the column to the left', screens: ['top'] },
  { command: 'sort.right', keys: ['>'], description: 'sort by the column to the right', screens: ['top'] },
  { command: 'sort.invert', keys: ['I'], description: 'invert the sort', screens: ['top'] },
  { command: 'freeze', keys: ['f'], description: 'freeze the figures to read them (again: live)', screens: ['top'] },
);
// The shared keys act on the slice screens too: moving, Enter, Tab (the comparison's detail
// pane), Esc (and on the list, back from a drill-down), redaction, help, quit.
for (const binding of KEYMAP) {
  const extra: Screen[] = ['cursor.down', 'cursor.up', 'cursor.top', 'cursor.bottom', 'halfpage.down', 'halfpage.up', 'page.down', 'page.up', 'help', 'quit', 'redact'].includes(binding.command)
    ? SLICE_SCREENS
    : binding.command === 'open'
      ? ['datasets', 'runs', 'compare', 'prompts', 'versions', 'top']
      : binding.command === 'back'
        ? [...SLICE_SCREENS, 'list']
        : binding.command === 'focus.toggle'
          ? ['compare']
          : [];
  for (const screen of extra) if (!binding.screens.includes(screen)) binding.screens.push(screen);
}

// The key-event type lives in `src/ports/keys.ts` (the store reads keys too, and never imports the UI).
import type { KeyPress } from '../ports/keys.js';
export type { KeyPress };

/** Names a keypress the way KEYMAP does. */
export function keyName(input: string, key: KeyPress): string | null {
  if (key.upArrow) return '↑';
  if (key.downArrow) return '↓';
  if (key.leftArrow) return '←';
  if (key.rightArrow) return '→';
  if (key.pageUp) return 'PgUp';
  if (key.pageDown) return 'PgDn';
  if (key.home) return 'Home';
  if (key.end) return 'End';
  if (key.return) return 'Enter';
  if (key.escape) return 'Esc';
  if (key.tab) return 'Tab';
  if (key.backspace || key.delete) return 'Backspace';
  if (key.ctrl && input) return `Ctrl-${input.toLowerCase()}`;
  if (input === ' ') return 'Space';
  return input || null;
}

export function commandFor(input: string, key: KeyPress, screen: Screen): Command | null {
  const name = keyName(input, key);
  if (!name) return null;
  const binding = KEYMAP.find((entry) => entry.screens.includes(screen) && entry.keys.includes(name));
  return binding?.command ?? null;
}
