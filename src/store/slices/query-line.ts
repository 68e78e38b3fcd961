// The `/` query line: the filter being edited (with a preview of what it matches among the
// buffered traces, or why it does not parse), recent filters with ↑/↓, and applying one — the
// list's filter changes, the caller re-queries history and re-tails. It opens with the current
// filter and a space after it, so what is typed adds a condition.

import { matchesTrace, parseFilter, printFilter, type TraceFilter } from '../../domain/filter-language.js';
import type { Slice, SliceContext } from './types.js';

export interface QueryLine {
  text: string;
  /** The parse error, or how many buffered traces the text matches. */
  error: string | null;
  matches: number | null;
  /** Position in the history while browsing it with ↑/↓; null when editing. */
  historyIndex: number | null;
}

export interface QueryLineState {
  /** The line while it is open. */
  open: QueryLine | null;
  /** Filters applied, newest first (kept between runs by the caller). */
  history: string[];
}

export interface QueryLineSliceState {
  queryLine: QueryLineState;
}

export interface QueryLineActions {
  openQuery(): void;
  editQuery(text: string): void;
  browseHistory(direction: -1 | 1): void;
  applyQuery(): void;
  cancelQuery(): void;
  /** Adds one condition (a quick filter from the selected trace) to the filter and applies it. */
  addToFilter(condition: string): void;
}

export interface QueryLineDeps {
  filterHistory?: string[];
  /** Called with a new filter once the user applies it: the caller re-queries and re-tails. */
  onFilterChange?: (filter: TraceFilter, text: string) => void;
}

export function createQueryLineSlice({ set, get, deps }: SliceContext<QueryLineDeps>): Slice<QueryLineSliceState, QueryLineActions> {
  const state = () => get().queryLine;
  const show = (open: QueryLine | null) => set({ queryLine: { ...state(), open } });

  const preview = (text: string): Pick<QueryLine, 'error' | 'matches'> => {
    const parsed = parseFilter(text);
    if (!parsed.ok) return { error: parsed.error.message, matches: null };
    const now = new Date();
    let matches = 0;
    for (const trace of get().traces.values()) if (matchesTrace(parsed.filter, trace, now)) matches++;
    return { error: null, matches };
  };

  const applyFilterText = (text: string) => {
    const parsed = parseFilter(text);
    if (!parsed.ok) return show({ text, historyIndex: null, error: parsed.error.message, matches: null });
    const canonical = printFilter(parsed.filter);
    const history = [canonical, ...state().history.filter((entry) => entry !== canonical)].filter(Boolean).slice(0, 50);
    set({ queryLine: { open: null, history }, filterText: canonical, cursor: 0, scrollTop: 0, follow: true });
    deps.onFilterChange?.(parsed.filter, canonical);
  };

  const actions: QueryLineActions = {
    openQuery() {
      // The current filter and a space: what is typed adds a condition (Ctrl-U starts afresh).
      const current = get().filterText;
      const text = current ? `${current} ` : '';
      show({ text, historyIndex: null, ...preview(text) });
    },
    editQuery(text) {
      show({ text, historyIndex: null, ...preview(text) });
    },
    browseHistory(direction) {
      const { open, history } = state();
      if (!open || history.length === 0) return;
      const index = Math.max(-1, Math.min(history.length - 1, (open.historyIndex ?? -1) + (direction === -1 ? 1 : -1)));
      const text = index === -1 ? '' : history[index]!;
      show({ text, historyIndex: index, ...preview(text) });
    },
    applyQuery() {
      const open = state().open;
      if (open) applyFilterText(open.text);
    },
    cancelQuery() {
      show(null);
    },
    addToFilter(condition) {
      const current = get().filterText;
      applyFilterText(current ? `${current} ${condition}` : condition);
    },
  };
  return { state: { queryLine: { open: null, history: deps.filterHistory ?? [] } }, actions };
}
