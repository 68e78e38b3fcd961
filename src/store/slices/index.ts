// The store as slices (zustand's slices pattern). The one store (`../store.ts`) composes the
// core — two slices whose state sits at the top level because every screen reads it — plus one
// slice per screen or concern:
//
//   list.ts          the live trace list: the bounded window, timestamp order, cursor, follow/pause
//   trace-view.ts    the open trace: loading, tree cursor and expansion, search, filtered views
//                    (its rows are computed, cached, in ../trace-rows.ts)
//
//   command-line.ts  `:` command line, screen switching, drill-down and back
//   datasets.ts      `:datasets` → runs → comparison
//   prompts.ts       `:prompts` → versions → text / diff
//   top.ts           `:top`, and the trace list's summary header
//   sessions.ts      `C`: sessions among the buffered traces (selected by id), a conversation
//   scoring.ts       `s` score panel, `L` quick-label, `u` undo, local scores, sender counts
//   query-line.ts    the `/` query line: edit with a preview, history, apply (the list's filter)
//
// A screen's slice is `createXSlice({ set, get, deps, core }) → { state, actions }`:
// - `state` is ONE top-level key named after the slice (`datasets`, `prompts`, …) holding
//   plain data; screens select from it with `useTui((s) => s.datasets.runs)`.
// - `actions` are merged into the store's `actions`, so components call
//   `state.actions.openDataset()` as they call core actions. Names must not clash (a test checks).
//   A slice may wrap a core action by defining one of the same name and calling the original
//   through `core` (the command line wraps `back` to end a drill-down; `top` wraps
//   `applyTraces` to count the stream). Wrapped names are listed in WRAPPED below.
// - `deps` are the ports the slice reads (`SliceDeps`, part of the store's options); a slice
//   works without them and says so on screen, and tests pass fakes.
// - New screens a slice adds are named in `SliceScreen`.
//
// Moving a core concern into a slice: give it a file here, move its state under one key and
// its actions into the slice's `actions`, and add it to `createSlices`.

import type { TuiActions } from '../store.js';
import { createCommandLineSlice, type CommandLineActions, type CommandLineDeps, type CommandLineSliceState } from './command-line.js';
import { createDatasetsSlice, type DatasetsActions, type DatasetsDeps, type DatasetsSliceState } from './datasets.js';
import { createPromptsSlice, type PromptsActions, type PromptsDeps, type PromptsSliceState } from './prompts.js';
import { createTopSlice, type TopActions, type TopDeps, type TopSliceState } from './top.js';
import { createSessionsSlice, type SessionsActions, type SessionsDeps, type SessionsSliceState } from './sessions.js';
import { createScoringSlice, type ScoringActions, type ScoringDeps, type ScoringSliceState } from './scoring.js';
import { createQueryLineSlice, type QueryLineActions, type QueryLineDeps, type QueryLineSliceState } from './query-line.js';
import type { GetState, SetState } from './types.js';

/** The screens the slices add to the core's. */
export type SliceScreen = 'datasets' | 'runs' | 'compare' | 'prompts' | 'versions' | 'prompt' | 'top';

export type SliceState = CommandLineSliceState & DatasetsSliceState & PromptsSliceState & TopSliceState & SessionsSliceState & ScoringSliceState & QueryLineSliceState;
export type SliceActions = CommandLineActions &
  DatasetsActions &
  PromptsActions &
  TopActions &
  SessionsActions &
  ScoringActions &
  QueryLineActions & {
    /** Stops every slice's subscriptions and timers (the TUI is ending): nothing keeps the process alive. */
    disposeSlices(): void;
  };
/** The ports the new screens' slices read (the sessions slice reads the store's own reader). */
export type SliceDeps = CommandLineDeps & DatasetsDeps & PromptsDeps & TopDeps;

/** Core actions a slice deliberately replaces (calling the original through `core`). */
export const WRAPPED: readonly (keyof TuiActions)[] = ['back', 'applyTraces', 'resetTraces'];

export function createSlices(set: SetState, get: GetState, deps: SliceDeps & SessionsDeps & ScoringDeps & QueryLineDeps, core: TuiActions): { state: SliceState; actions: SliceActions } {
  const context = { set, get, deps, core };
  const slices = [createCommandLineSlice(context), createDatasetsSlice(context), createPromptsSlice(context), createTopSlice(context), createSessionsSlice(context), createScoringSlice(context), createQueryLineSlice(context)];
  const state = Object.assign({}, ...slices.map((slice) => slice.state)) as SliceState;
  const actions = Object.assign({}, ...slices.map((slice) => slice.actions)) as SliceActions;
  actions.disposeSlices = () => slices.forEach((slice) => slice.dispose?.());
  return { state, actions };
}

export type { Loadable } from './types.js';
