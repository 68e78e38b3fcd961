// The screens the store's slices add (see src/store/slices/index.ts): which component draws
// each, how the keymap's commands act on it, and when keys typed ahead should wait for its data.
// App.tsx routes to these; each screen's drawing lives in its own file beside this one.
import React from 'react';
import type { StoreApi } from 'zustand/vanilla';
import type { SliceScreen } from '../../store/slices/index.js';
import type { Screen, TuiState } from '../../store/store.js';
import type { Command } from '../keymap.js';
import { CompareScreen } from './CompareScreen.js';
import { DatasetsScreen } from './DatasetsScreen.js';
import { PromptsScreen } from './PromptsScreen.js';
import { PromptVersionScreen } from './PromptVersionScreen.js';
import { PromptVersionsScreen } from './PromptVersionsScreen.js';
import { RunsScreen } from './RunsScreen.js';
import { TopScreen } from './TopScreen.js';

export const SLICE_SCREENS: readonly SliceScreen[] = ['datasets', 'runs', 'compare', 'prompts', 'versions', 'prompt', 'top'];

export const isSliceScreen = (screen: Screen): screen is SliceScreen => (SLICE_SCREENS as readonly string[]).includes(screen);

const VIEWS: Record<SliceScreen, (props: { width: number; height: number }) => React.ReactNode> = {
  datasets: DatasetsScreen,
  runs: RunsScreen,
  compare: CompareScreen,
  prompts: PromptsScreen,
  versions: PromptVersionsScreen,
  prompt: PromptVersionScreen,
  top: TopScreen,
};

export function SliceScreenView({ screen, width, height }: { screen: SliceScreen; width: number; height: number }) {
  const View = VIEWS[screen];
  return <View width={width} height={height} />;
}

/** Rows a movement command moves by, or null for other commands (g and G too: each screen jumps to its ends its own way). */
export function movement(command: Command, page: number): number | null {
  switch (command) {
    case 'cursor.down': return 1;
    case 'cursor.up': return -1;
    case 'page.down': return page;
    case 'page.up': return -page;
    case 'halfpage.down': return Math.ceil(page / 2);
    case 'halfpage.up': return -Math.ceil(page / 2);
    default: return null;
  }
}

/** As `movement`, with the first and last row as moves all the way up or down (the slice screens' lists). */
function movementToEnds(command: Command, page: number): number | null {
  if (command === 'cursor.top') return -Number.MAX_SAFE_INTEGER;
  if (command === 'cursor.bottom') return Number.MAX_SAFE_INTEGER;
  return movement(command, page);
}

/** A keymap command on a slice screen. */
export function runSliceCommand(store: StoreApi<TuiState>, screen: SliceScreen, command: Command, bodyHeight: number): void {
  const state = store.getState();
  const { actions } = state;
  const delta = movementToEnds(command, Math.max(1, bodyHeight - 3));
  switch (screen) {
    case 'datasets':
      if (delta !== null) return actions.moveDatasetCursor(delta);
      if (command === 'open') return actions.openDataset();
      return;
    case 'runs':
      if (delta !== null) return actions.moveRunCursor(delta);
      if (command === 'open') return actions.compareRuns(false);
      if (command === 'compare.previous') return actions.compareRuns(true);
      if (command === 'mark') return actions.toggleRunMark();
      return;
    case 'compare':
      if (delta !== null) {
        if (state.datasets.view.focus === 'detail') return actions.scrollCompareDetail(delta);
        if (command === 'cursor.top' || command === 'cursor.bottom') return actions.jumpCompare(command === 'cursor.top' ? 'top' : 'bottom');
        return actions.moveCompareCursor(delta);
      }
      switch (command) {
        case 'open': return actions.openCompareTrace('new');
        case 'compare.base': return actions.openCompareTrace('base');
        case 'compare.sort': return actions.cycleCompareSort();
        case 'compare.regressions': return actions.toggleCompareOnly('regressed');
        case 'compare.improvements': return actions.toggleCompareOnly('improved');
        case 'compare.swap': return actions.swapCompare();
        case 'focus.toggle': return actions.toggleCompareFocus();
        default: return;
      }
    case 'prompts':
      if (delta !== null) return actions.movePromptCursor(delta);
      if (command === 'open') return actions.openPrompt();
      return;
    case 'versions':
      if (delta !== null) return actions.moveVersionCursor(delta);
      switch (command) {
        case 'open': return actions.openVersion();
        case 'mark': return actions.toggleVersionMark();
        case 'prompt.diff': return actions.diffVersion();
        case 'prompt.traces': return actions.promptTraces();
        case 'window.cycle': return actions.cyclePromptWindow();
        case 'refresh': return actions.refreshPromptMetrics();
        default: return;
      }
    case 'prompt':
      if (delta !== null) return actions.scrollPrompt(delta);
      if (command === 'prompt.diff') return actions.diffVersion();
      if (command === 'prompt.traces') return actions.promptTraces();
      return;
    case 'top':
      if (command === 'cursor.top' || command === 'cursor.bottom') return actions.jumpTopCursor(command === 'cursor.top' ? 'top' : 'bottom');
      if (delta !== null) return actions.moveTopCursor(delta);
      switch (command) {
        case 'open': return actions.drillTop();
        case 'top.by': return actions.cycleTopBy();
        case 'window.cycle': return actions.cycleTopWindow();
        case 'sort.left': return actions.moveTopSort(-1);
        case 'sort.right': return actions.moveTopSort(1);
        case 'sort.invert': return actions.invertTopSort();
        case 'refresh': return actions.refreshTop();
        case 'freeze': return actions.toggleTopFreeze();
        default: return;
      }
  }
}

/** Whether the slice screen on top is still loading what keys act on (keys typed now wait for it). */
export function sliceWaiting(state: TuiState): boolean {
  const screen = state.screens.at(-1);
  const first = (loadable: { state: string; data: unknown }) => loadable.state === 'loading' && loadable.data === null;
  switch (screen) {
    case 'datasets': return first(state.datasets.list);
    case 'runs': return first(state.datasets.runs);
    case 'compare': return first(state.datasets.comparison);
    case 'prompts': return first(state.prompts.list);
    case 'versions': return first(state.prompts.versions);
    case 'top': return state.top.loading && state.top.result === null;
    default: return false;
  }
}
