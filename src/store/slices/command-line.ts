// The `:` command line (k9s style): `:datasets`, `:top model`, … switches screens by name, with
// Tab completion. Built once for every screen. Also the drill-down bookkeeping every screen
// shares: a screen that opens the trace list filtered to one of its rows (`:top` → a group,
// `:prompts` → a version) comes back to that row, and to the filter it replaced, on Esc.

import type { Screen } from '../store.js';
import type { Slice, SliceContext } from './types.js';

/** Each command, what it takes, and what `?` says about it. */
export const COMMANDS = [
  { name: 'traces', argument: null, description: 'the live trace list' },
  { name: 'sessions', argument: null, description: 'sessions among the buffered traces' },
  { name: 'datasets', argument: 'DATASET', description: 'datasets → runs → compare two runs' },
  { name: 'prompts', argument: 'PROMPT', description: 'prompts → versions (metrics per version) → text, diff' },
  { name: 'top', argument: 'BY', description: 'live breakdown by name, model, prompt, release, env, user or tag' },
  { name: 'help', argument: null, description: 'every key' },
  { name: 'quit', argument: null, description: 'quit' },
] as const;

export type CommandName = (typeof COMMANDS)[number]['name'];

export interface CommandLineState {
  text: string;
  /** Candidates after an ambiguous Tab, or what went wrong on Enter. */
  hint: string | null;
  error: boolean;
}

export interface Drill {
  /** The filter the drill-down replaced, restored when Esc leaves the drilled list. */
  filterText: string;
  /** The stack depth of the drilled list: popping below it ends the drill. */
  depth: number;
}

export interface CommandLineSliceState {
  commandLine: CommandLineState | null;
  drill: Drill | null;
}

export interface CommandLineActions {
  openCommandLine(): void;
  editCommandLine(text: string): void;
  /** Tab: completes the command name (or the common prefix of the candidates, listing them). */
  completeCommandLine(): void;
  /** Enter: runs it. Returns 'quit' when the caller should exit. */
  runCommandLine(): 'quit' | null;
  cancelCommandLine(): void;
  /** Switches to a screen by command name (what `:NAME ARG` does). */
  switchTo(name: CommandName, argument?: string): 'quit' | null;
  /** Opens the trace list with `condition` added to the filter; Esc comes back here. */
  drillToTraces(condition: string): void;
  /** Esc/Backspace: the store's back, and the end of a drill-down (its filter restored). */
  back(): void;
}

/** The commands a typed word could be (a prefix of each). */
export function commandCandidates(word: string): CommandName[] {
  const lower = word.toLowerCase();
  return COMMANDS.map((command) => command.name).filter((name) => name.startsWith(lower));
}

/** `name [argument]` → the command it names (an exact name or a unique prefix), or why not. */
export function parseCommand(text: string): { ok: true; name: CommandName; argument: string } | { ok: false; error: string } {
  const [word = '', ...rest] = text.trim().split(/\s+/);
  if (!word) return { ok: false, error: `commands: ${COMMANDS.map((command) => command.name).join(' ')}` };
  if (word === 'q' || word === 'q!') return { ok: true, name: 'quit', argument: '' };
  const candidates = commandCandidates(word);
  const exact = candidates.find((name) => name === word.toLowerCase());
  const name = exact ?? (candidates.length === 1 ? candidates[0] : undefined);
  if (!name) return { ok: false, error: candidates.length ? `ambiguous: ${candidates.join(' ')}` : `no command "${word}" (${COMMANDS.map((command) => command.name).join(' ')})` };
  return { ok: true, name, argument: rest.join(' ') };
}

/** Tab: the text completed as far as the candidates agree, and the candidates when several remain. */
export function completeCommand(text: string): { text: string; candidates: CommandName[] } {
  if (/\s/.test(text.trimStart())) return { text, candidates: [] };
  const word = text.trim();
  const candidates = commandCandidates(word);
  if (candidates.length === 0) return { text, candidates };
  if (candidates.length === 1) return { text: `${candidates[0]} `, candidates };
  let prefix: string = candidates[0]!;
  for (const name of candidates) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return { text: prefix.length > word.length ? prefix : word, candidates };
}

export interface CommandLineDeps {}

export function createCommandLineSlice({ set, get, core }: SliceContext<CommandLineDeps>): Slice<CommandLineSliceState, CommandLineActions> {
  const restoreFilter = (text: string) => {
    if (get().filterText === text) return;
    get().actions.editQuery(text);
    get().actions.applyQuery();
  };
  const actions: CommandLineActions = {
    openCommandLine() {
      set({ commandLine: { text: '', hint: null, error: false } });
    },
    editCommandLine(text) {
      set({ commandLine: { text: text.replace(/[\r\n\t]/g, ' '), hint: null, error: false } });
    },
    completeCommandLine() {
      const line = get().commandLine;
      if (!line) return;
      const { text, candidates } = completeCommand(line.text);
      set({ commandLine: { text, hint: candidates.length > 1 ? candidates.join(' ') : candidates.length === 0 ? 'no such command' : null, error: candidates.length === 0 } });
    },
    runCommandLine() {
      const line = get().commandLine;
      if (!line) return null;
      const parsed = parseCommand(line.text);
      if (!parsed.ok) {
        set({ commandLine: { ...line, hint: parsed.error, error: true } });
        return null;
      }
      set({ commandLine: null });
      return get().actions.switchTo(parsed.name, parsed.argument || undefined);
    },
    cancelCommandLine() {
      set({ commandLine: null });
    },
    switchTo(name, argument) {
      const { actions, drill } = get();
      if (name === 'quit') return 'quit';
      if (name === 'help') {
        if (get().screens.at(-1) !== 'help') actions.showHelp();
        return null;
      }
      // A switch is a fresh start from the trace list: no drill-down to come back to, and the
      // filter a drill-down replaced is back.
      const base: Screen[] = ['list'];
      set({ drill: null, message: null });
      if (drill) restoreFilter(drill.filterText);
      switch (name) {
        case 'traces':
          set({ screens: base, open: null });
          return null;
        case 'sessions':
          set({ screens: base, open: null });
          actions.showSessions();
          return null;
        case 'datasets':
          set({ screens: [...base, 'datasets'], open: null });
          actions.showDatasets(argument);
          return null;
        case 'prompts':
          set({ screens: [...base, 'prompts'], open: null });
          actions.showPrompts(argument);
          return null;
        case 'top':
          set({ screens: [...base, 'top'], open: null });
          actions.showTop(argument);
          return null;
      }
      return null;
    },
    drillToTraces(condition) {
      const state = get();
      const drill: Drill = { filterText: state.filterText, depth: state.screens.length + 1 };
      set({ screens: [...state.screens, 'list'], drill });
      get().actions.addToFilter(condition);
      // addToFilter leaves the query line open with the error when the condition does not parse.
      if (get().queryLine.open) {
        const error = get().queryLine.open?.error;
        set({ queryLine: { ...get().queryLine, open: null }, screens: state.screens, drill: null, message: `cannot filter on ${condition}: ${error}` });
      }
    },
    back() {
      const drill = get().drill;
      core.back();
      if (drill && get().screens.length < drill.depth) {
        set({ drill: null });
        restoreFilter(drill.filterText);
      }
    },
  };
  return { state: { commandLine: null, drill: null }, actions };
}
