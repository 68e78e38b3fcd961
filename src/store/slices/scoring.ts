// Scoring from the TUI: `s` opens the score panel (a config, a value, a comment), `L` picks a
// config for quick-labelling (each key scores the selected trace and moves down), `u` undoes.
// Every score made here is kept as a local score (pending, sent or failed) so the list shows
// it at once; the sender's counts are the status bar's.

import type { ScoreConfig } from '../../domain/types.js';
import type { KeyPress } from '../../ports/keys.js';
import type { ScoringService } from '../../scoring/service.js';
import type { SenderStatus } from '../../scoring/sender.js';
import { newPanel, panelKey, quickValue, type ScorePanel } from '../score-panel.js';
import { treeRows } from '../trace-rows.js';
import { visibleIds } from './list.js';
import type { Slice, SliceContext } from './types.js';

export interface LocalScore {
  state: 'pending' | 'sent' | 'failed';
  error?: string | null;
  id: string;
  traceId: string;
  observationId: string | null;
  name: string;
  value: string;
}

export interface ScoringState {
  /** The score panel while it is open. */
  panel: ScorePanel | null;
  /** Quick-label mode: each 1–9 / y / n scores the selected trace with this config and moves on. */
  quickLabel: ScoreConfig | null;
  /** Scores made here, newest last, for the pending marker and undo. */
  local: LocalScore[];
  /** The sender's counts (pending, failed) and why it waits. */
  sender: SenderStatus;
}

export interface ScoringSliceState {
  scoring: ScoringState;
}

export interface ScoringActions {
  openScorePanel(quick: boolean): void;
  scorePanelKey(input: string, key: KeyPress): void;
  quickLabelKey(input: string, viewHeight: number): boolean;
  exitQuickLabel(): void;
  undoScore(): void;
  /** The sender's counts changed: refresh them and each local score's marker. */
  setScoringStatus(status: SenderStatus): void;
}

export interface ScoringDeps {
  scoring?: ScoringService;
}

/** A boolean score as the list and the status bar show it: true or false (not 1/0). */
const shownValue = (score: { dataType?: string | null; value: unknown }): string => (score.dataType === 'BOOLEAN' ? (score.value === 1 ? 'true' : 'false') : String(score.value));

export function createScoringSlice({ set, get, deps, core }: SliceContext<ScoringDeps>): Slice<ScoringSliceState, ScoringActions> {
  const scoring = () => get().scoring;
  const update = (patch: Partial<ScoringState>, message?: string | null) => set({ scoring: { ...scoring(), ...patch }, ...(message === undefined ? {} : { message }) });

  /** What `s` scores: in the list the selected trace, in a trace the selected row. */
  const scoreTarget = (): { traceId: string; observationId?: string; label: string } | null => {
    const state = get();
    const screen = state.screens.at(-1);
    if (screen === 'trace' && state.open?.trace) {
      const node = treeRows(state)[state.treeCursor];
      const traceName = state.open.trace.name ?? state.open.id;
      if (node?.group) return null;
      return node ? { traceId: state.open.id, observationId: node.id, label: `${node.observation.name ?? node.id} in ${traceName}` } : { traceId: state.open.id, label: traceName };
    }
    if (screen === 'list') {
      const id = visibleIds(state).at(state.cursor);
      const trace = id ? state.traces.get(id) : undefined;
      return trace ? { traceId: trace.id, label: trace.name ?? trace.id } : null;
    }
    return null;
  };

  const submitScore = (target: { traceId: string; observationId?: string }, name: string, value: string, comment?: string): boolean => {
    const service = deps.scoring;
    if (!service) return false;
    try {
      const score = service.submit(target, name, value, comment);
      const local: LocalScore = { state: 'pending', id: score.id, traceId: target.traceId, observationId: target.observationId ?? null, name, value: shownValue(score) };
      update({ local: [...scoring().local.slice(-999), local], sender: service.status() }, `scored ${name}=${local.value}`);
      return true;
    } catch (error) {
      set({ message: `not scored: ${(error as Error).message}` });
      return false;
    }
  };

  const actions: ScoringActions = {
    openScorePanel(quick) {
      if (get().readOnly) return set({ message: 'read-only: scoring is off' });
      const service = deps.scoring;
      if (!service) return set({ message: 'scoring is not available here' });
      const target = scoreTarget();
      if (!target) return set({ message: get().screens.at(-1) === 'trace' ? 'a group is not one observation: open it (→) and score one of them' : 'select a trace to score' });
      update({ panel: newPanel(target.label, quick) });
      service.configs().then(
        (configs) => {
          const panel = scoring().panel;
          if (panel) update({ panel: { ...panel, configs } });
        },
        (error: unknown) => {
          const panel = scoring().panel;
          if (panel) update({ panel: { ...panel, configs: [], loadError: (error as Error).message } });
        },
      );
    },
    scorePanelKey(input, key) {
      const panel = scoring().panel;
      if (!panel) return;
      const outcome = panelKey(panel, input, key);
      update({ panel: outcome.panel });
      if (outcome.quickConfig) update({ quickLabel: outcome.quickConfig }, `quick-label ${outcome.quickConfig.name}: keys score the selected trace and move on; u undoes; Esc ends`);
      if (outcome.submit) {
        const target = scoreTarget();
        if (target) submitScore(target, outcome.submit.name, outcome.submit.value, outcome.submit.comment);
      }
    },
    quickLabelKey(input, viewHeight) {
      const config = scoring().quickLabel;
      if (!config) return false;
      const value = quickValue(config, input);
      if (value === null) return false;
      const ids = visibleIds(get());
      const id = ids.at(get().cursor);
      if (!id) return true;
      const atEnd = get().cursor >= ids.length - 1;
      if (atEnd && scoring().local.some((score) => score.traceId === id && score.name === config.name)) {
        set({ message: 'end of the list: nothing left to label' });
        return true;
      }
      if (submitScore({ traceId: id }, config.name, value)) core.moveCursor(1, viewHeight);
      return true;
    },
    exitQuickLabel() {
      update({ quickLabel: null }, null);
    },
    undoScore() {
      const local = scoring().local;
      const last = local[local.length - 1];
      const service = deps.scoring;
      if (!last || !service) return set({ message: 'nothing to undo' });
      update({ local: local.slice(0, -1) }, `undoing ${last.name}=${last.value}`);
      service.undo(last.id).then(
        () => update({ sender: service.status() }, `removed ${last.name}=${last.value}`),
        (error: unknown) => set({ message: `undo failed: ${(error as Error).message}` }),
      );
    },
    setScoringStatus(status) {
      const service = deps.scoring;
      const before = scoring().local;
      const updated = service
        ? before.map((local): LocalScore => {
            const failure = service.failure(local.id);
            const state = failure ? 'failed' : service.isPending(local.id) ? 'pending' : 'sent';
            return state === local.state ? local : { ...local, state, error: failure };
          })
        : before;
      // The same list when no score changed state: the live list's rows then stay as drawn.
      const local = updated.every((score, index) => score === before[index]) ? before : updated;
      update({ sender: status, local });
    },
  };
  return {
    state: { scoring: { panel: null, quickLabel: null, local: [], sender: deps.scoring?.status() ?? { pending: 0, failed: 0, detail: null } } },
    actions,
  };
}
