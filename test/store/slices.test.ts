// The store's slices with fake ports: the `:` command line, drill-down and back, datasets →
// runs → comparison (cursor kept by item), prompts → versions → diff, and `:top` live from the
// list's batches.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTuiStore, type TuiStoreOptions } from '../../src/store/store.js';
import { commandCandidates, completeCommand, parseCommand } from '../../src/store/slices/command-line.js';
import { WRAPPED } from '../../src/store/slices/index.js';
import { arrangeGroups, groupId } from '../../src/store/slices/top.js';
import { compareRuns } from '../../src/domain/experiments.js';
import type { DatasetItemView, DatasetReader, RunItemResult, RunResults, RunSummary } from '../../src/ports/datasets.js';
import type { PromptMetricsReader, PromptReader, PromptVersion } from '../../src/ports/prompts.js';
import type { TopGroup, TopReader } from '../../src/ports/metrics.js';
import { aggregateTop, topRowFromTrace } from '../../src/domain/top.js';
import type { TraceSummary } from '../../src/domain/types.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function trace(id: string, patch: Partial<TraceSummary> = {}): TraceSummary {
  return {
    id,
    timestamp: new Date().toISOString(),
    name: 'chat',
    userId: null,
    sessionId: null,
    tags: [],
    environment: 'default',
    release: null,
    version: null,
    latency: 0.5,
    totalCost: 0.001,
    inputTokens: 10,
    outputTokens: 5,
    totalTokens: 15,
    observationCount: 2,
    errorCount: 0,
    warningCount: 0,
    scores: {},
    updatedAt: new Date().toISOString(),
    ...patch,
  };
}

function storeWith(options: Partial<TuiStoreOptions> = {}) {
  const opened: string[] = [];
  const filters: string[] = [];
  const store = createTuiStore({
    reader: {
      getTrace: async (id) => {
        opened.push(id);
        return { ...trace(id), observations: [], scores: [] } as never;
      },
      listTraces: async () => [],
    },
    host: 'http://test',
    onFilterChange: (_filter, text) => filters.push(text),
    ...options,
  });
  return { store, opened, filters, actions: () => store.getState().actions, state: () => store.getState() };
}

// ---- experiments fixture -------------------------------------------------------------------

const ITEMS: DatasetItemView[] = ['fr', 'de', 'au', 'jp'].map((id, index) => ({ id, input: { country: id }, expectedOutput: `capital-${id}`, createdAt: `2026-01-01T00:00:0${index}Z` }));

function run(name: string, createdAt: string, right: string[]): RunResults {
  const items: RunItemResult[] = ITEMS.map((item) => ({
    datasetItemId: item.id,
    traceId: `${name}-${item.id}`,
    observationId: null,
    output: right.includes(item.id) ? `capital-${item.id}` : 'wrong',
    scores: { exact_match: right.includes(item.id) ? 1 : 0 },
    latency: 1,
    totalCost: 0.01,
    error: false,
    createdAt,
  }));
  const summary: RunSummary = { id: `id-${name}`, name, description: null, datasetId: 'ds', datasetName: 'capitals', createdAt, updatedAt: createdAt, itemCount: 4, itemMeans: { exact_match: right.length / 4 }, runScores: {}, errorCount: 0, meanLatency: 1, totalCost: 0.04 };
  return { run: summary, items };
}

function fakeDatasets() {
  const runs = new Map<string, RunResults>([
    ['baseline', run('baseline', '2026-01-01T00:00:00Z', ['fr', 'de'])],
    ['v2', run('v2', '2026-01-02T00:00:00Z', ['fr', 'au', 'jp'])],
    ['v3', run('v3', '2026-01-03T00:00:00Z', ['fr', 'de', 'au', 'jp'])],
  ]);
  const watchers: (() => void)[] = [];
  const calls: string[] = [];
  const reader: DatasetReader = {
    listDatasets: async () => [{ id: 'ds', name: 'capitals', description: null, itemCount: 4, runCount: runs.size, lastRun: { name: 'v3', createdAt: '2026-01-03T00:00:00Z' }, createdAt: '', updatedAt: '' }],
    listRuns: async () => [...runs.values()].map((entry) => entry.run).sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    listItems: async () => ITEMS,
    loadRun: async (_dataset, name) => runs.get(name)!,
    loadComparison: async (dataset, base, next) => {
      calls.push(`${base}->${next}`);
      return compareRuns(dataset, ITEMS, runs.get(base)!, runs.get(next)!);
    },
    watch: (_dataset, onChange) => {
      watchers.push(onChange);
      return () => watchers.splice(watchers.indexOf(onChange), 1);
    },
  };
  return { reader, runs, watchers, calls };
}

describe('layering', () => {
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : /\.tsx?$/.test(entry.name) ? [join(dir, entry.name)] : []));
  const imports = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((match) => match[1]!);
  it('the store imports neither the UI nor the API client; the UI reads ports, not the client', () => {
    const src = (dir: string) => fileURLToPath(new URL(`../../src/${dir}`, import.meta.url));
    for (const file of files(src('store'))) for (const target of imports(file)) assert.doesNotMatch(target, /\/(ui|api)\//, `${file} imports ${target}`);
    for (const file of files(src('ui'))) for (const target of imports(file)) assert.doesNotMatch(target, /\/api\//, `${file} imports ${target}`);
  });
});

describe('slices: composition', () => {
  it('adds each slice under its own key, and its actions beside the core ones (only the listed ones wrapped)', () => {
    const { state } = storeWith();
    for (const key of ['commandLine', 'drill', 'datasets', 'prompts', 'top']) assert.ok(key in state(), key);
    for (const name of WRAPPED) assert.equal(typeof state().actions[name], 'function');
    assert.equal(typeof state().actions.openDataset, 'function');
    assert.equal(typeof state().actions.moveCursor, 'function', 'core actions are still there');
  });
});

describe('slices: the : command line', () => {
  it('parses names, unique prefixes and arguments; says what is ambiguous or unknown', () => {
    assert.deepEqual(parseCommand('datasets'), { ok: true, name: 'datasets', argument: '' });
    assert.deepEqual(parseCommand('da capitals'), { ok: true, name: 'datasets', argument: 'capitals' });
    assert.deepEqual(parseCommand('top model'), { ok: true, name: 'top', argument: 'model' });
    assert.deepEqual(parseCommand('q'), { ok: true, name: 'quit', argument: '' });
    const ambiguous = parseCommand('t');
    assert.equal(ambiguous.ok, false);
    assert.match((ambiguous as { error: string }).error, /ambiguous: traces top/);
    assert.match((parseCommand('nope') as { error: string }).error, /no command "nope"/);
    assert.deepEqual(commandCandidates('p'), ['prompts']);
  });

  it('Tab completes a unique prefix with a space, and a shared prefix with the candidates', () => {
    assert.deepEqual(completeCommand('da'), { text: 'datasets ', candidates: ['datasets'] });
    assert.deepEqual(completeCommand('t'), { text: 't', candidates: ['traces', 'top'] });
    assert.deepEqual(completeCommand('se'), { text: 'sessions ', candidates: ['sessions'] });
    assert.deepEqual(completeCommand('x'), { text: 'x', candidates: [] });
  });

  it('switches screens by name, from any screen, and quits on :q', () => {
    const { actions, state } = storeWith({ datasets: fakeDatasets().reader });
    actions().openCommandLine();
    actions().editCommandLine('dat');
    actions().completeCommandLine();
    assert.equal(state().commandLine?.text, 'datasets ');
    assert.equal(actions().runCommandLine(), null);
    assert.equal(state().commandLine, null);
    assert.deepEqual(state().screens, ['list', 'datasets']);
    actions().openCommandLine();
    actions().editCommandLine('t');
    assert.equal(actions().runCommandLine(), null);
    assert.equal(state().commandLine?.error, true, 'ambiguous keeps the line open with the reason');
    actions().editCommandLine('traces');
    actions().runCommandLine();
    assert.deepEqual(state().screens, ['list']);
    assert.equal(actions().switchTo('sessions'), null);
    assert.deepEqual(state().screens, ['list', 'sessions']);
    actions().switchTo('help');
    assert.deepEqual(state().screens, ['list', 'sessions', 'help'], 'help opens over the screen it explains');
    actions().openCommandLine();
    actions().editCommandLine('q');
    assert.equal(actions().runCommandLine(), 'quit');
  });

  it('a drill-down opens the filtered list; Esc comes back and restores the filter', () => {
    const { actions, state, filters } = storeWith();
    actions().switchTo('top');
    actions().drillToTraces('name:checkout');
    assert.deepEqual(state().screens, ['list', 'top', 'list']);
    assert.equal(state().filterText, 'name:checkout');
    actions().back();
    assert.deepEqual(state().screens, ['list', 'top']);
    assert.equal(state().filterText, '');
    assert.deepEqual(filters, ['name:checkout', '']);
    assert.equal(state().drill, null);
  });

  it('a condition the filter language refuses leaves the screen as it was and says why', () => {
    const { actions, state } = storeWith();
    actions().switchTo('top');
    actions().drillToTraces('score:');
    assert.deepEqual(state().screens, ['list', 'top']);
    assert.equal(state().queryLine.open, null);
    assert.match(state().message ?? '', /cannot filter on score:/);
  });
});

describe('slices: datasets', () => {
  it('datasets → runs newest first → Enter compares the selected run with the previous one', async () => {
    const fake = fakeDatasets();
    const { actions, state } = storeWith({ datasets: fake.reader });
    actions().switchTo('datasets');
    await tick();
    assert.equal(state().datasets.list.data?.[0]?.name, 'capitals');
    actions().openDataset();
    await tick();
    assert.deepEqual(state().screens, ['list', 'datasets', 'runs']);
    assert.deepEqual(state().datasets.runs.data?.map((r) => r.name), ['v3', 'v2', 'baseline']);
    actions().moveRunCursor(1);
    actions().compareRuns();
    await tick();
    assert.deepEqual(state().datasets.pair, { base: 'baseline', new: 'v2' });
    assert.deepEqual(state().screens, ['list', 'datasets', 'runs', 'compare']);
    assert.deepEqual(state().datasets.comparison.data?.summary, { improved: 2, regressed: 1, unchanged: 1 });
  });

  it('two marked runs compare older as base, newer as new, whatever order they were marked in', async () => {
    const fake = fakeDatasets();
    const { actions, state } = storeWith({ datasets: fake.reader });
    actions().showDatasets('capitals');
    await tick();
    actions().moveRunCursor(2);
    actions().toggleRunMark();
    actions().moveRunCursor(-2);
    actions().toggleRunMark();
    assert.deepEqual(state().datasets.marked, ['baseline', 'v3']);
    actions().compareRuns();
    await tick();
    assert.deepEqual(state().datasets.pair, { base: 'baseline', new: 'v3' });
    // The oldest run alone has nothing before it.
    actions().back();
    actions().toggleRunMark();
    actions().toggleRunMark();
    actions().moveRunCursor(5);
    actions().compareRuns(true);
    assert.match(state().message ?? '', /no previous run/);
  });

  it('sorts by delta worst first, filters to regressions, keeps the cursor on its item; Enter opens its trace and Esc comes back to it', async () => {
    const fake = fakeDatasets();
    const { actions, state, opened } = storeWith({ datasets: fake.reader });
    actions().showDatasets('capitals');
    await tick();
    actions().moveRunCursor(1);
    actions().compareRuns();
    await tick();
    actions().moveCompareCursor(2);
    assert.equal(state().datasets.view.itemId, 'au');
    actions().cycleCompareSort();
    assert.equal(state().datasets.view.sortBy, 'exact_match');
    assert.equal(state().datasets.view.itemId, 'au', 'the selection stays on its item when the rows re-sort');
    actions().jumpCompare('top');
    assert.equal(state().datasets.view.itemId, 'de', 'the regression (1 > 0) sorts first');
    actions().toggleCompareOnly('regressed');
    actions().jumpCompare('bottom');
    assert.equal(state().datasets.view.itemId, 'de', 'only the regression is left');
    actions().toggleCompareOnly('regressed');
    actions().moveCompareCursor(1);
    const selected = state().datasets.view.itemId;
    actions().openCompareTrace('new');
    await tick();
    assert.deepEqual(opened, [`v2-${selected}`]);
    assert.equal(state().screens.at(-1), 'trace');
    actions().back();
    assert.equal(state().screens.at(-1), 'compare');
    assert.equal(state().datasets.view.itemId, selected);
    actions().openCompareTrace('base');
    assert.equal(opened.at(-1), `baseline-${selected}`);
  });

  it('runs still running fill in live: a change re-reads the runs and the comparison, the cursor stays on its item', async () => {
    const fake = fakeDatasets();
    const { actions, state } = storeWith({ datasets: fake.reader });
    actions().showDatasets('capitals');
    await tick();
    actions().compareRuns();
    await tick();
    actions().moveCompareCursor(3);
    assert.equal(state().datasets.view.itemId, 'jp');
    // v3 gets a fourth run's worth of change: jp turns wrong.
    const v3 = fake.runs.get('v3')!;
    fake.runs.set('v3', { ...v3, items: v3.items.map((item) => (item.datasetItemId === 'jp' ? { ...item, output: 'wrong', scores: { exact_match: 0 } } : item)) });
    assert.equal(fake.watchers.length, 1);
    fake.watchers[0]!();
    await tick();
    assert.equal(fake.calls.length, 2);
    const jp = state().datasets.comparison.data?.items.find((item) => item.datasetItemId === 'jp');
    assert.equal(jp?.verdict, 'regressed');
    assert.equal(state().datasets.view.itemId, 'jp');
  });

  it('w swaps base and new', async () => {
    const fake = fakeDatasets();
    const { actions, state } = storeWith({ datasets: fake.reader });
    actions().showDatasets('capitals');
    await tick();
    actions().compareRuns();
    await tick();
    actions().swapCompare();
    await tick();
    assert.deepEqual(state().datasets.pair, { base: 'v3', new: 'v2' });
    assert.deepEqual(state().datasets.comparison.data?.summary, { improved: 0, regressed: 1, unchanged: 3 });
  });

  it('says so when the backend has no datasets reader', () => {
    const { actions, state } = storeWith();
    actions().switchTo('datasets');
    assert.match(state().message ?? '', /datasets are not available/);
  });
});

describe('slices: prompts', () => {
  const version = (n: number, text: string, labels: string[] = []): PromptVersion => ({ name: 'support-agent', version: n, type: 'text', prompt: text, config: {}, labels, tags: [], commitMessage: `v${n} message` });
  const versions = [version(3, 'c', ['production', 'latest']), version(2, 'b'), version(1, 'a')];
  const metricsCalls: { name: string; refresh: boolean }[] = [];
  const prompts: PromptReader = {
    listPrompts: async () => [{ name: 'support-agent', type: 'text', versions: [1, 2, 3], labels: { production: 3, latest: 3 }, tags: [], lastUpdatedAt: '' }],
    getPrompt: async () => versions[0]!,
    listVersions: async () => versions,
  };
  const promptMetrics: PromptMetricsReader = {
    versionMetrics: async (name, window, options) => {
      metricsCalls.push({ name, refresh: options?.refresh ?? false });
      return { name, from: window.from.toISOString(), to: new Date().toISOString(), versions: [], fetchedAt: new Date().toISOString(), cached: false, live: true };
    },
  };

  it('prompts → versions (with one metrics query) → text → d diffs against the previous; a marked version instead', async () => {
    const { actions, state } = storeWith({ prompts, promptMetrics });
    actions().switchTo('prompts');
    await tick();
    actions().openPrompt();
    await tick();
    assert.deepEqual(state().screens, ['list', 'prompts', 'versions']);
    assert.equal(metricsCalls.length, 1);
    actions().openVersion();
    assert.deepEqual(state().prompts.view, { version: 3, against: null, scroll: 0 });
    actions().diffVersion();
    assert.deepEqual(state().prompts.view, { version: 3, against: 2, scroll: 0 });
    actions().diffVersion();
    assert.equal(state().prompts.view?.against, null, 'd again: back to the text');
    actions().back();
    actions().moveVersionCursor(2);
    actions().toggleVersionMark();
    actions().moveVersionCursor(-2);
    actions().diffVersion();
    assert.deepEqual(state().screens.at(-1), 'prompt');
    assert.equal(state().prompts.view?.against, 1);
    actions().back();
    actions().moveVersionCursor(2);
    actions().toggleVersionMark();
    actions().diffVersion();
    assert.match(state().message ?? '', /first version/);
  });

  it('t drills into the traces of the version; w changes the window and reads the metrics again', async () => {
    const { actions, state } = storeWith({ prompts, promptMetrics });
    actions().showPrompts('support-agent');
    await tick();
    const before = metricsCalls.length;
    actions().cyclePromptWindow();
    assert.equal(metricsCalls.length, before + 1);
    actions().promptTraces();
    assert.deepEqual(state().screens, ['list', 'versions', 'list']);
    assert.equal(state().filterText, 'prompt:support-agent@3');
  });
});

describe('slices: top', () => {
  it('groups the list batches live by name, keeps the cursor on its group, drills in', async () => {
    const { actions, state } = storeWith();
    actions().applyTraces([trace('a1', { name: 'alpha' }), trace('b1', { name: 'beta', errorCount: 1 }), trace('a2', { name: 'alpha' })]);
    actions().switchTo('top');
    const result = state().top.result!;
    assert.deepEqual(result.groups.map((g) => [g.key, g.count, g.errorCount]), [['alpha', 2, 0], ['beta', 1, 1]]);
    assert.equal(state().top.cursorId, 'alpha');
    actions().moveTopCursor(1);
    assert.equal(state().top.cursorId, 'beta');
    // beta grows past alpha: while the user is navigating, the rows keep their order.
    actions().applyTraces([trace('b2', { name: 'beta' }), trace('b3', { name: 'beta' })]);
    actions().refreshTop();
    assert.deepEqual(state().top.order, ['alpha', 'beta']);
    assert.equal(state().top.result!.groups.find((g) => g.key === 'beta')!.count, 3, 'values still update');
    actions().toggleTopFreeze();
    actions().applyTraces([trace('b4', { name: 'beta' })]);
    actions().refreshTop();
    assert.equal(state().top.result!.groups.find((g) => g.key === 'beta')!.count, 3, 'frozen: the figures hold still');
    actions().toggleTopFreeze();
    assert.equal(state().top.result!.groups.find((g) => g.key === 'beta')!.count, 4);
    actions().drillTop();
    assert.equal(state().filterText, 'name:beta since:15m');
    assert.deepEqual(state().screens, ['list', 'top', 'list']);
  });

  it('cycles the grouping; model and prompt read generations through the TopReader', async () => {
    const requests: string[] = [];
    const top: TopReader = {
      top: async (request) => {
        requests.push(request.by);
        return { ...aggregateTop([], { by: request.by, windowMs: request.windowMs, now: Date.now() }), source: 'rows', fetchedAt: new Date().toISOString(), truncated: false };
      },
    };
    const { actions, state } = storeWith({ top });
    actions().switchTo('top', 'model');
    await tick();
    assert.deepEqual(requests, ['model']);
    assert.equal(state().top.source, 'reader');
    actions().cycleTopBy();
    await tick();
    assert.equal(state().top.by, 'prompt');
    assert.deepEqual(requests, ['model', 'prompt']);
    actions().cycleTopBy();
    assert.equal(state().top.by, 'release');
    assert.equal(state().top.source, 'stream');
  });

  it('a window the buffer does not reach back through is read through the TopReader', async () => {
    const requests: number[] = [];
    const top: TopReader = {
      top: async (request) => {
        requests.push(request.windowMs);
        return { ...aggregateTop([], { by: request.by, windowMs: request.windowMs, now: Date.now() }), source: 'rows', fetchedAt: new Date().toISOString(), truncated: false };
      },
    };
    const { actions, state } = storeWith({ top });
    // 150 traces of the last minute (a history read's worth): nothing says what came before them.
    actions().applyTraces(Array.from({ length: 150 }, (_, i) => trace(`t${i}`, { timestamp: new Date(Date.now() - 60_000 + i * 100).toISOString() })));
    actions().switchTo('top');
    await tick();
    assert.equal(state().top.source, 'reader');
    assert.deepEqual(requests, [15 * 60_000]);
    // A few traces, none evicted: the buffer holds the whole window, counted live.
    const small = storeWith({ top });
    small.actions().applyTraces([trace('a'), trace('b')]);
    small.actions().switchTo('top');
    assert.equal(small.state().top.source, 'stream');
  });

  it('sorts by a column, inverts, and marks groups that left the window as tombstones', () => {
    const { actions, state } = storeWith();
    actions().applyTraces([trace('a1', { name: 'alpha', latency: 5 }), trace('b1', { name: 'beta', latency: 1 }), trace('b2', { name: 'beta', latency: 1 })]);
    actions().switchTo('top');
    assert.deepEqual(state().top.order, ['beta', 'alpha']);
    actions().moveTopSort(1);
    assert.equal(state().top.sort, 'rate');
    actions().moveTopSort(1);
    actions().moveTopSort(1);
    assert.equal(state().top.sort, 'p50');
    assert.deepEqual(state().top.order, ['alpha', 'beta']);
    actions().invertTopSort();
    assert.deepEqual(state().top.order, ['beta', 'alpha']);
    actions().resetTraces();
    actions().refreshTop();
    assert.deepEqual(state().top.gone.map((entry) => entry.group.key).sort(), ['alpha', 'beta']);
  });

  it('keeps the trace list summary from the same batches', async () => {
    const { actions, state } = storeWith();
    actions().applyTraces([trace('a1'), trace('a2', { errorCount: 2 })]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(state().top.summary?.total.count, 2);
    assert.equal(state().top.summary?.total.errorCount, 1);
  });

  it('arrangeGroups holds the previous order and appends new groups', () => {
    const group = (key: string, count: number) => aggregateTop(Array.from({ length: count }, (_, i) => topRowFromTrace(trace(`${key}${i}`, { name: key }), 'name')!), { by: 'name', windowMs: 60_000, now: Date.now() + 1 }).groups[0]! as TopGroup;
    const groups = [group('a', 1), group('b', 3), group('c', 2)];
    assert.deepEqual(arrangeGroups(groups, 'count', true, [], false), ['b', 'c', 'a']);
    assert.deepEqual(arrangeGroups(groups, 'count', true, ['a', 'b'], true), ['a', 'b', 'c']);
    assert.equal(groupId(null), '\u0000');
  });
});
