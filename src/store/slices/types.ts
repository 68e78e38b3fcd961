// What every slice is given and gives back. See ./index.ts for the pattern.

import type { TuiState, TuiActions } from '../store.js';

/** Partial updates of the one store, as zustand's `set` takes them. */
export type SetState = (partial: Partial<TuiState>) => void;
export type GetState = () => TuiState;

export interface SliceContext<Deps> {
  set: SetState;
  get: GetState;
  /** What the slice reads from outside (ports), taken from the store's options. */
  deps: Deps;
  /** The store's own (non-slice) actions, for slices that build on them (open a trace, apply a filter). */
  core: TuiActions;
}

/** A slice: its part of the state (one top-level key per slice) and its actions. */
export interface Slice<State, Actions> {
  state: State;
  actions: Actions;
  /** Stops what the slice started (subscriptions, timers) when the TUI ends. */
  dispose?(): void;
}

/** Something read from a backend: the screen says which of the four it is. */
export type Loadable<T> =
  | { state: 'idle'; data: null; error: null }
  | { state: 'loading'; data: T | null; error: null }
  | { state: 'loaded'; data: T; error: null }
  | { state: 'error'; data: T | null; error: string };

export const idle = <T>(): Loadable<T> => ({ state: 'idle', data: null, error: null });
export const loading = <T>(previous: Loadable<T>): Loadable<T> => ({ state: 'loading', data: previous.data, error: null });
export const loaded = <T>(data: T): Loadable<T> => ({ state: 'loaded', data, error: null });
export const failed = <T>(previous: Loadable<T>, error: unknown): Loadable<T> => ({ state: 'error', data: previous.data, error: error instanceof Error ? error.message : String(error) });

export const clamp = (value: number, min: number, max: number): number => Math.max(min, Math.min(max, value));

/** A cursor kept on screen in a list `height` rows tall scrolled to `top`. */
export function keepVisible(cursor: number, top: number, height: number): number {
  if (height <= 0) return 0;
  if (cursor < top) return cursor;
  if (cursor >= top + height) return cursor - height + 1;
  return top;
}
