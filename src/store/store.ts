// The TUI's state: a zustand vanilla store fed by the LiveSource and driven by key commands.
// Read state is plain data; write actions live under `actions` (components read slices and
// call actions, never set state). This file composes the store: the list (./slices/list.ts),
// the trace view (./slices/trace-view.ts), the actions every screen shares, and the screens'
// slices (./slices/index.ts); it re-exports what importers read from the store.

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { TraceFilter } from '../domain/filter-language.js';
import type { SessionReader, TraceReader } from '../ports/readers.js';
import type { ScoringService } from '../scoring/service.js';
import { createSlices, type SliceActions, type SliceDeps, type SliceScreen, type SliceState } from './slices/index.js';
import { createListSlice, type ListActions, type ListState } from './slices/list.js';
import { createTraceViewSlice, type TraceViewActions, type TraceViewState } from './slices/trace-view.js';
import { clamp } from './slices/types.js';

export type Screen = 'list' | 'trace' | 'help' | 'sessions' | 'session' | SliceScreen;

/** The core's state (the list's and the trace view's at the top level) plus each slice's key (see ./slices/index.ts). */
export interface TuiState extends ListState, TraceViewState, SliceState {
  screens: Screen[];
  filterText: string;
  /** The help screen's first shown line. */
  helpScroll: number;
  /** No writes: the scoring keys say so. */
  readOnly: boolean;
  /** Screen-sharing mode: payloads and user/session ids hidden. */
  redact: boolean;
  /** The Langfuse UI's base URL for trace links, when there is one and the terminal shows links. */
  linkBase: string | null;
  /** The Langfuse web UI's base URL when the backend has one (tracetop's own server has none): trace pages link there. */
  webBase: string | null;
  message: string | null;
  /** The screen the message belongs to: it shows there only, and leaving that screen ends it. */
  messageScreen: Screen | null;
  actions: TuiActions & SliceActions;
}

export type { QueryLine } from './slices/query-line.js';
export type { LocalScore } from './slices/scoring.js';
export { sessionIndex, sessionRows, type SessionRow } from './slices/sessions.js';
export { newSincePause, RATE_WINDOW_MS, traceRate, visibleIds, type ListActions, type ListState } from './slices/list.js';
export type { OpenTrace, SpanSearch, TraceViewActions, TraceViewState, TreeOnly, TreeZoom } from './slices/trace-view.js';
export { keptIds, rowIndexOf, TRACE_ROW, treeRows, zoomOn } from './trace-rows.js';

/** The core's actions: the list's, the trace view's, and those every screen shares (help, back, messages). */
export interface TuiActions extends ListActions, TraceViewActions {
  toggleRedact(): void;
  /** Scrolls the help screen by lines (top/bottom with ±Infinity), kept within `total` lines shown `height` at a time. */
  scrollHelp(delta: number, height: number, total: number): void;
  /** The backend's web UI (trace pages), and the title's OSC 8 link base where the terminal shows links. */
  setWebBase(webBase: string | null, linkBase: string | null): void;
  back(): void;
  showHelp(): void;
  setMessage(message: string | null): void;
}

export interface TuiStoreOptions extends SliceDeps {
  reader: TraceReader & Partial<SessionReader>;
  host: string;
  capacity?: number;
  filterText?: string;
  filterHistory?: string[];
  scoring?: ScoringService;
  readOnly?: boolean;
  redact?: boolean;
  linkBase?: string | null;
  webBase?: string | null;
  /** The terminal's rows, so a big trace opens collapsed to a depth that fits. */
  viewRows?: () => number;
  /** Group similar siblings in the trace view (default on). */
  autogroup?: boolean;
  /** Called with a new filter once the user applies it: the caller re-queries and re-tails. */
  onFilterChange?: (filter: TraceFilter, text: string) => void;
}

export function createTuiStore(options: TuiStoreOptions): StoreApi<TuiState> {
  return createStore<TuiState>()((rawSet, get) => {
    // A message belongs to the screen it was given on: a change of screen ends it.
    const set = (partial: Partial<TuiState>): void => {
      const before = get()?.screens?.at(-1) ?? null;
      const after = partial.screens ? (partial.screens.at(-1) ?? null) : before;
      if (partial.message !== undefined) rawSet({ ...partial, messageScreen: partial.message === null ? null : after });
      else if (after !== before && get()?.message) rawSet({ ...partial, message: null, messageScreen: null });
      else rawSet(partial);
    };
    const core = {} as TuiActions;
    const traceView = createTraceViewSlice({ set, get, reader: options.reader, viewRows: options.viewRows, autogroup: options.autogroup });
    const list = createListSlice({ set, get, core, onApplied: traceView.refreshOpen, capacity: options.capacity, host: options.host });

    const actions: Omit<TuiActions, keyof ListActions | keyof TraceViewActions> = {
      toggleRedact() {
        const redact = !get().redact;
        set({ redact, message: redact ? 'redaction on: payloads and user/session ids hidden' : 'redaction off' });
      },
      scrollHelp(delta, height, total) {
        set({ helpScroll: clamp(get().helpScroll + delta, 0, Math.max(0, total - height)) });
      },
      setWebBase(webBase, linkBase) {
        set({ webBase, linkBase });
      },
      back() {
        const screens = get().screens;
        if (screens.length <= 1) return;
        const next = screens.slice(0, -1);
        set({ screens: next, ...(next.includes('trace') ? {} : { open: null }) });
      },
      showHelp() {
        const screens = get().screens;
        if (screens.at(-1) === 'help') set({ screens: screens.slice(0, -1) });
        else set({ screens: [...screens, 'help'], helpScroll: 0 });
      },
      setMessage(message) {
        set({ message });
      },
    };

    Object.assign(core, list.actions, traceView.actions, actions);
    const slices = createSlices(set, get, options, core);
    return {
      ...list.state,
      ...traceView.state,
      screens: ['list'],
      filterText: options.filterText ?? '',
      helpScroll: 0,
      readOnly: options.readOnly ?? false,
      redact: options.redact ?? false,
      linkBase: options.linkBase ?? null,
      webBase: options.webBase ?? null,
      message: null,
      messageScreen: null,
      ...slices.state,
      actions: { ...core, ...slices.actions },
    };
  });
}
