// `:prompts` (issue 18): prompts → a prompt's versions with labels, commit message and the
// generations linked to each version in a window (one grouped metrics query, cached per window,
// its age shown) → a version's text, or its diff against the previous (or a marked) version.
// `t` opens the trace list filtered to `prompt:NAME@VERSION`; Esc comes back.

import type { PromptMetricsReader, PromptMetricsResult, PromptOverview, PromptReader, PromptVersion } from '../../ports/prompts.js';
import { clamp, failed, idle, loaded, loading, type Loadable, type Slice, type SliceContext } from './types.js';

/** The windows `w` cycles through (the first is the default). */
export const PROMPT_WINDOWS = [
  { label: '24h', ms: 24 * 3_600_000 },
  { label: '7d', ms: 7 * 24 * 3_600_000 },
  { label: '1h', ms: 3_600_000 },
] as const;

export interface PromptView {
  version: number;
  /** Diffed against this version; null shows the text. */
  against: number | null;
  scroll: number;
}

export interface PromptsState {
  list: Loadable<PromptOverview[]>;
  cursor: number;
  name: string | null;
  /** Newest first. */
  versions: Loadable<PromptVersion[]>;
  versionCursor: number;
  /** A version marked to diff against (instead of the previous one). */
  marked: number | null;
  window: number;
  metrics: Loadable<PromptMetricsResult>;
  view: PromptView | null;
}

export interface PromptsSliceState {
  prompts: PromptsState;
}

export interface PromptsActions {
  showPrompts(name?: string): void;
  movePromptCursor(delta: number): void;
  openPrompt(): void;
  moveVersionCursor(delta: number): void;
  /** Marks the selected version as the one `d` diffs against (again: unmarks). */
  toggleVersionMark(): void;
  /** Shows the selected version's text. */
  openVersion(): void;
  /** Diffs the version against the marked one, or the previous; again: back to the text. */
  diffVersion(): void;
  scrollPrompt(delta: number): void;
  cyclePromptWindow(): void;
  /** Re-reads the metrics (skipping the cache). */
  refreshPromptMetrics(): void;
  /** The trace list filtered to the selected version. */
  promptTraces(): void;
  /** Traffic arrived: against tracetop's own server the version metrics are live, re-read (at most every 5 s). */
  promptsTraffic(): void;
}

export interface PromptsDeps {
  prompts?: PromptReader;
  promptMetrics?: PromptMetricsReader;
  now?: () => number;
}

export function createPromptsSlice({ set, get, deps }: SliceContext<PromptsDeps>): Slice<PromptsSliceState, PromptsActions> {
  const state = () => get().prompts;
  const update = (patch: Partial<PromptsState>) => set({ prompts: { ...state(), ...patch } });
  const now = () => deps.now?.() ?? Date.now();
  let lastLiveRefresh = 0;

  const loadMetrics = (name: string, refresh: boolean) => {
    const reader = deps.promptMetrics;
    if (!reader) return;
    const window = PROMPT_WINDOWS[state().window]!;
    update({ metrics: loading(state().metrics) });
    reader.versionMetrics(name, { from: new Date(now() - window.ms) }, { refresh }).then(
      (metrics) => {
        if (state().name === name && PROMPT_WINDOWS[state().window] === window) update({ metrics: loaded(metrics) });
      },
      (error: unknown) => {
        if (state().name === name) update({ metrics: failed(state().metrics, error) });
      },
    );
  };

  const loadVersions = (name: string) => {
    const reader = deps.prompts;
    if (!reader) return set({ message: 'prompts are not available with this backend' });
    update({ versions: loading(state().versions) });
    reader.listVersions(name).then(
      (versions) => {
        if (state().name !== name) return;
        update({ versions: loaded(versions), versionCursor: clamp(state().versionCursor, 0, Math.max(0, versions.length - 1)) });
      },
      (error: unknown) => {
        if (state().name === name) update({ versions: failed(state().versions, error) });
      },
    );
    loadMetrics(name, false);
  };

  const openVersions = (name: string) => {
    const same = state().name === name;
    update({ name, versions: same ? state().versions : idle(), versionCursor: same ? state().versionCursor : 0, marked: same ? state().marked : null, metrics: same ? state().metrics : idle(), view: null });
    set({ screens: [...get().screens.filter((screen) => screen !== 'versions' && screen !== 'prompt'), 'versions'] });
    loadVersions(name);
  };

  const selected = (): PromptVersion | undefined => {
    const versions = state().versions.data ?? [];
    const view = state().view;
    if (view && get().screens.at(-1) === 'prompt') return versions.find((version) => version.version === view.version);
    return versions[state().versionCursor];
  };

  const actions: PromptsActions = {
    showPrompts(name) {
      const reader = deps.prompts;
      if (!reader) return set({ message: 'prompts are not available with this backend' });
      update({ list: loading(state().list) });
      reader.listPrompts().then(
        (list) => update({ list: loaded(list), cursor: clamp(state().cursor, 0, Math.max(0, list.length - 1)) }),
        (error: unknown) => update({ list: failed(state().list, error) }),
      );
      if (name) openVersions(name);
    },
    movePromptCursor(delta) {
      update({ cursor: clamp(state().cursor + delta, 0, Math.max(0, (state().list.data?.length ?? 0) - 1)) });
    },
    openPrompt() {
      const prompt = state().list.data?.[state().cursor];
      if (prompt) openVersions(prompt.name);
    },
    moveVersionCursor(delta) {
      update({ versionCursor: clamp(state().versionCursor + delta, 0, Math.max(0, (state().versions.data?.length ?? 0) - 1)) });
    },
    toggleVersionMark() {
      const version = state().versions.data?.[state().versionCursor];
      if (!version) return;
      const marked = state().marked === version.version ? null : version.version;
      update({ marked });
      set({ message: marked === null ? null : `d diffs against v${marked}` });
    },
    openVersion() {
      const version = state().versions.data?.[state().versionCursor];
      if (!version) return;
      update({ view: { version: version.version, against: null, scroll: 0 } });
      set({ screens: [...get().screens.filter((screen) => screen !== 'prompt'), 'prompt'] });
    },
    diffVersion() {
      const version = selected();
      if (!version) return;
      const view = state().view;
      if (view && view.against !== null && get().screens.at(-1) === 'prompt') return update({ view: { ...view, against: null, scroll: 0 } });
      const versions = state().versions.data ?? [];
      const marked = state().marked;
      // Newest first: the previous version is the next one down.
      const against = marked !== null && marked !== version.version ? marked : versions[versions.findIndex((other) => other.version === version.version) + 1]?.version;
      if (against === undefined) return set({ message: `v${version.version} is the first version: nothing to diff against` });
      update({ view: { version: version.version, against, scroll: 0 } });
      if (get().screens.at(-1) !== 'prompt') set({ screens: [...get().screens, 'prompt'] });
    },
    scrollPrompt(delta) {
      const view = state().view;
      if (view) update({ view: { ...view, scroll: Math.max(0, view.scroll + delta) } });
    },
    cyclePromptWindow() {
      update({ window: (state().window + 1) % PROMPT_WINDOWS.length, metrics: idle() });
      const name = state().name;
      if (name) loadMetrics(name, false);
    },
    refreshPromptMetrics() {
      const name = state().name;
      if (name) loadMetrics(name, true);
    },
    promptTraces() {
      const version = selected();
      if (!version) return;
      get().actions.drillToTraces(`prompt:${/^[^\s"\\]+$/.test(version.name) ? version.name : JSON.stringify(version.name)}@${version.version}`);
    },
    promptsTraffic() {
      const name = state().name;
      if (!name || !shouldRefreshLiveMetrics(state(), get().screens.at(-1), lastLiveRefresh, now())) return;
      lastLiveRefresh = now();
      loadMetrics(name, true);
    },
  };

  return {
    state: { prompts: { list: idle(), cursor: 0, name: null, versions: idle(), versionCursor: 0, marked: null, window: 0, metrics: idle(), view: null } },
    actions,
  };
}

/** Within tracetop's own server the per-version metrics are live: re-read them now and then while the versions show. */
export function shouldRefreshLiveMetrics(state: PromptsState, screen: string | undefined, lastMs: number, nowMs: number): boolean {
  return screen === 'versions' && state.metrics.state === 'loaded' && state.metrics.data.live && nowMs - lastMs >= 5_000;
}
