// Datasets and experiment runs over either Langfuse generation, behind the DatasetReader port.
// Self-hosted v3 (and v4 in legacy mode): the dataset-run reads — a run's items, then their
// traces (output, latency, cost, errors) and scores by id, and the run's own scores by
// datasetRunId. Cloud / v4 events_only: those reads answer 404, so runs are experiments —
// GET /experiments (with run scores) and /experiment-items (with outputs and item scores).

import { EventSource } from 'eventsource';
import {
  aggregateRun,
  compareRuns,
  ExperimentNotFoundError,
  latestPerItem,
  type CompareOptions,
  type Comparison,
  type DatasetItemView,
  type DatasetSummary,
  type RunHeader,
  type RunItemResult,
  type RunResults,
  type RunSummary,
  type ScoreValue,
} from '../domain/experiments.js';
import type { Score } from '../domain/types.js';
import type { DatasetReader } from '../ports/datasets.js';
import type { LangfuseClient } from './client.js';
import type { Priority } from './budget.js';
import { LangfuseApiError, type QueryValue } from './http.js';

/** Items a run may have before loading stops (memory stays bounded). */
export const MAX_RUN_ITEMS = 100_000;
/** Ids per filtered request (a page's worth), and their characters: URLs stay well under proxies' 8 KB. */
const IDS_PER_REQUEST = 100;
const ID_CHARS_PER_REQUEST = 3_500;
const IN_FLIGHT = 6;
/**
 * Memory is bounded by bytes, not items: inputs, expected outputs and outputs share this budget
 * (each at most PER_VALUE_CHARS), so a 10,000-item comparison of big documents stays small. A
 * value past its share is kept as the start of its JSON text, marked as cut.
 */
export const VALUE_BUDGET_CHARS = 48 * 1024 * 1024;
export const PER_VALUE_CHARS = 32 * 1024;

/** A value as it is, or (past `max` characters of JSON) its text cut and marked. */
export function boundedValue(value: unknown, max: number): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'string') return value.length <= max ? value : `${value.slice(0, max)}… [cut: ${value.length} characters]`;
  if (typeof value !== 'object') return value;
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    return String(value);
  }
  return text.length <= max ? value : `${text.slice(0, max)}… [cut: ${text.length} characters of JSON]`;
}

/** Each value's share of the budget when a comparison has `count` items: four values each (input, expected, two outputs). */
const shareOf = (count: number) => Math.max(1024, Math.min(PER_VALUE_CHARS, Math.floor(VALUE_BUDGET_CHARS / Math.max(1, count * 4))));

/** The experiments reads need a start; everything since this is "all". */
const EPOCH = '1970-01-01T00:00:00.000Z';

interface Paged<T> {
  data: T[];
  meta: { page: number; limit: number; totalItems: number; totalPages: number };
}

interface ApiDataset {
  id: string;
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

interface ApiDatasetItem {
  id: string;
  input: unknown;
  expectedOutput: unknown;
  createdAt: string;
}

type ApiRun = RunHeader;

interface ApiRunItem {
  datasetItemId: string;
  traceId: string;
  observationId: string | null;
  createdAt: string;
}

interface ApiTrace {
  id: string;
  output: unknown;
  latency: number | null;
  totalCost: number | null;
  scores: string[] | null;
}

interface ScoreV3 {
  name: string;
  value: number | boolean | string | null;
  dataType: string;
  timestamp: string;
}

interface ApiExperiment {
  id: string;
  name: string;
  description: string | null;
  startTime: string;
  endTime: string;
  itemCount: number;
  datasetId: string | null;
  scores?: ScoreV3[];
}

interface ApiExperimentItem {
  id: string;
  traceId: string;
  startTime: string;
  endTime: string | null;
  level: string;
  experimentId: string;
  experimentItemId: string;
  output?: unknown;
  scores?: ScoreV3[];
}

/** Runs `work` over `inputs` with at most `limit` at once, keeping order. */
async function pool<T, R>(inputs: readonly T[], limit: number, work: (input: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const index = next++;
      results[index] = await work(inputs[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  return results;
}

/** Ids in batches of at most IDS_PER_REQUEST and (but for a single long id) ID_CHARS_PER_REQUEST characters. */
function idBatches(ids: readonly string[]): string[][] {
  const batches: string[][] = [];
  let batch: string[] = [];
  let chars = 0;
  for (const id of ids) {
    if (batch.length > 0 && (batch.length >= IDS_PER_REQUEST || chars + id.length > ID_CHARS_PER_REQUEST)) {
      batches.push(batch);
      batch = [];
      chars = 0;
    }
    batch.push(id);
    chars += id.length + 3;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** A score's value in the comparison's terms (numeric, boolean, or the category / text). */
function scoreValueV1(score: Score): ScoreValue | null {
  if (score.dataType === 'BOOLEAN') return score.value === null ? null : score.value === 1;
  if (score.dataType === 'NUMERIC') return score.value;
  if (score.dataType === 'CORRECTION') return null;
  return score.stringValue;
}

function scoreValueV3(score: ScoreV3): ScoreValue | null {
  if (score.dataType === 'CORRECTION' || score.value === null || score.value === undefined) return null;
  if (score.dataType === 'BOOLEAN' && typeof score.value === 'number') return score.value === 1;
  return score.value;
}

/** Latest value per name. */
function latestByName<S extends { name: string; timestamp: string }>(scores: S[], value: (score: S) => ScoreValue | null): Record<string, ScoreValue> {
  const byName = new Map<string, { at: string; value: ScoreValue }>();
  for (const score of scores) {
    const v = value(score);
    if (v === null) continue;
    const seen = byName.get(score.name);
    if (!seen || score.timestamp > seen.at) byName.set(score.name, { at: score.timestamp, value: v });
  }
  const result: Record<string, ScoreValue> = {};
  for (const name of [...byName.keys()].sort()) result[name] = byName.get(name)!.value;
  return result;
}

const seconds = (from: string, to: string | null): number | null => {
  if (!to) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? ms / 1000 : null;
};

export class DatasetClient implements DatasetReader {
  constructor(private readonly client: LangfuseClient) {}

  private get<T>(path: string, query?: Record<string, QueryValue>, priority: Priority = 'interactive'): Promise<T> {
    return this.client.http.json<T>('GET', path, { query, priority });
  }

  /** Every page of a page-numbered list; `map` runs on each page as it arrives (only what it keeps stays in memory). */
  private async allPages<T, R = T>(path: string, query: Record<string, QueryValue>, max = MAX_RUN_ITEMS, map: (item: T) => R = (item) => item as unknown as R): Promise<R[]> {
    const items: R[] = [];
    for (let page = 1; items.length < max; page++) {
      const result = await this.get<Paged<T>>(path, { ...query, page, limit: 100 });
      for (const item of result.data) items.push(map(item));
      if (result.data.length < 100 || page >= (result.meta?.totalPages ?? page)) break;
    }
    return items.slice(0, max);
  }

  /** Every page of a cursor-paged list, mapped page by page. */
  private async allCursor<T, R = T>(path: string, query: Record<string, QueryValue>, max = MAX_RUN_ITEMS, map: (item: T) => R = (item) => item as unknown as R): Promise<R[]> {
    const items: R[] = [];
    let cursor: string | undefined;
    do {
      const result = await this.get<{ data: T[]; meta?: { cursor?: string | null } }>(path, { ...query, limit: 100, cursor });
      for (const item of result.data) items.push(map(item));
      cursor = result.meta?.cursor ?? undefined;
    } while (cursor && items.length < max);
    return items.slice(0, max);
  }

  private async eventsOnly(): Promise<boolean> {
    return (await this.client.backend()).generation === 'v2';
  }

  private async dataset(name: string): Promise<ApiDataset> {
    try {
      return await this.get<ApiDataset>(`/api/public/v2/datasets/${encodeURIComponent(name)}`);
    } catch (error) {
      if (error instanceof LangfuseApiError && error.kind === 'not-found') throw new ExperimentNotFoundError('dataset', name);
      throw error;
    }
  }

  async listDatasets(): Promise<DatasetSummary[]> {
    const datasets = await this.allPages<ApiDataset>('/api/public/v2/datasets', {}, 10_000);
    const eventsOnly = await this.eventsOnly();
    return pool(datasets, IN_FLIGHT, async (dataset) => {
      const [items, runs] = await Promise.all([
        this.get<Paged<unknown>>('/api/public/dataset-items', { datasetName: dataset.name, limit: 1 }),
        eventsOnly ? this.experimentsOf(dataset.id) : this.get<Paged<ApiRun>>(`/api/public/datasets/${encodeURIComponent(dataset.name)}/runs`, { limit: 1 }),
      ]);
      let runCount: number;
      let lastRun: DatasetSummary['lastRun'];
      if (Array.isArray(runs)) {
        runCount = runs.length;
        const newest = [...runs].sort((a, b) => b.startTime.localeCompare(a.startTime))[0];
        lastRun = newest ? { name: newest.name, createdAt: newest.startTime } : null;
      } else {
        runCount = runs.meta.totalItems;
        lastRun = runs.data[0] ? { name: runs.data[0].name, createdAt: runs.data[0].createdAt } : null;
      }
      return {
        id: dataset.id,
        name: dataset.name,
        description: dataset.description,
        itemCount: items.meta.totalItems,
        runCount,
        lastRun,
        createdAt: dataset.createdAt,
        updatedAt: dataset.updatedAt,
      };
    });
  }

  private experimentsOf(datasetId: string, extra: Record<string, QueryValue> = {}): Promise<ApiExperiment[]> {
    return this.allCursor<ApiExperiment>('/api/public/experiments', { fromStartTime: EPOCH, datasetId, ...extra }, 10_000);
  }

  async listItems(datasetName: string): Promise<DatasetItemView[]> {
    await this.dataset(datasetName);
    // The first page says how many there are: every value's share of the memory budget.
    const first = await this.get<Paged<unknown>>('/api/public/dataset-items', { datasetName, limit: 1 });
    const max = shareOf(first.meta.totalItems);
    const items = await this.allPages<ApiDatasetItem, DatasetItemView>('/api/public/dataset-items', { datasetName }, MAX_RUN_ITEMS, (item) => ({
      id: item.id,
      input: boundedValue(item.input, max),
      expectedOutput: boundedValue(item.expectedOutput, max),
      createdAt: item.createdAt,
    }));
    return items
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async listRuns(datasetName: string): Promise<RunSummary[]> {
    const dataset = await this.dataset(datasetName);
    if (await this.eventsOnly()) {
      const experiments = await this.experimentsOf(dataset.id, { fields: 'core,scores' });
      const runs = await pool(experiments, 2, (experiment) => this.loadExperiment(dataset, experiment));
      return runs.map((results) => results.run).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    }
    const runs = await this.allPages<ApiRun>(`/api/public/datasets/${encodeURIComponent(dataset.name)}/runs`, {}, 10_000);
    const loaded = await pool(runs, 2, (run) => this.loadLegacyRun(dataset, run));
    return loaded.map((results) => results.run);
  }

  async loadRun(datasetName: string, runName: string): Promise<RunResults> {
    const dataset = await this.dataset(datasetName);
    if (await this.eventsOnly()) {
      const [experiment] = await this.experimentsOf(dataset.id, { name: runName, fields: 'core,scores' });
      if (!experiment) throw new ExperimentNotFoundError('run', runName);
      return this.loadExperiment(dataset, experiment);
    }
    let run: ApiRun & { datasetRunItems: ApiRunItem[] };
    try {
      run = await this.get(`/api/public/datasets/${encodeURIComponent(dataset.name)}/runs/${encodeURIComponent(runName)}`);
    } catch (error) {
      if (error instanceof LangfuseApiError && error.kind === 'not-found') throw new ExperimentNotFoundError('run', runName);
      throw error;
    }
    return this.loadLegacyRun(dataset, run, run.datasetRunItems);
  }

  async loadComparison(datasetName: string, baseRun: string, newRun: string, options: CompareOptions = {}): Promise<Comparison> {
    const [items, base, next] = await Promise.all([
      this.listItems(datasetName),
      this.loadRun(datasetName, baseRun),
      this.loadRun(datasetName, newRun),
    ]);
    return compareRuns(datasetName, items, base, next, options);
  }

  // ---- v3 / legacy: dataset runs ---------------------------------------------------------------

  private async loadLegacyRun(dataset: ApiDataset, run: ApiRun, given?: ApiRunItem[]): Promise<RunResults> {
    const runItems =
      given ??
      (await this.allPages<ApiRunItem>('/api/public/dataset-run-items', { datasetId: dataset.id, runName: run.name }));
    const latest = latestPerItem(
      runItems.slice(0, MAX_RUN_ITEMS).map((item) => ({
        datasetItemId: item.datasetItemId,
        traceId: item.traceId,
        observationId: item.observationId,
        output: null,
        scores: {},
        latency: null,
        totalCost: null,
        error: false,
        createdAt: item.createdAt,
      })),
    );
    const traceIds = [...new Set(latest.map((item) => item.traceId).filter(Boolean))];
    const [traces, errors, runScores] = await Promise.all([
      this.tracesById(traceIds, shareOf(latest.length)),
      this.errorTraces(traceIds),
      this.allPages<Score>('/api/public/v2/scores', { datasetRunId: run.id, fields: 'score' }, 10_000),
    ]);
    const scoreIds = [...new Set([...traces.values()].flatMap((trace) => trace.scores ?? []))];
    const scores = await this.scoresById(scoreIds);
    const scoresByTrace = new Map<string, Score[]>();
    for (const score of scores) {
      if (!score.traceId) continue;
      const list = scoresByTrace.get(score.traceId) ?? [];
      list.push(score);
      scoresByTrace.set(score.traceId, list);
    }
    const items: RunItemResult[] = latest.map((item) => {
      const trace = traces.get(item.traceId);
      // Scores on the trace, or on the observation the run item names; not on its other spans.
      const own = (scoresByTrace.get(item.traceId) ?? []).filter(
        (score) => score.observationId === null || item.observationId === null || score.observationId === item.observationId,
      );
      return {
        ...item,
        output: trace?.output ?? null,
        latency: trace && trace.latency !== null && trace.latency >= 0 ? trace.latency : null,
        totalCost: trace && trace.totalCost !== null && trace.totalCost >= 0 ? trace.totalCost : null,
        error: errors.has(item.traceId),
        scores: latestByName(own, scoreValueV1),
      };
    });
    return {
      run: {
        id: run.id,
        name: run.name,
        description: run.description,
        datasetId: run.datasetId,
        datasetName: dataset.name,
        createdAt: run.createdAt,
        updatedAt: run.updatedAt,
        runScores: latestByName(runScores, scoreValueV1),
        ...aggregateRun(items),
      },
      items,
    };
  }

  private idFilter(ids: string[], extra: object[] = []): string {
    return JSON.stringify([{ type: 'stringOptions', column: 'id', operator: 'any of', value: ids }, ...extra]);
  }

  /** The traces' outputs (cut to `maxOutput` characters as each page arrives), metrics and score ids. */
  private async tracesById(ids: string[], maxOutput: number): Promise<Map<string, ApiTrace>> {
    const keep = (trace: ApiTrace): ApiTrace => ({
      id: trace.id,
      output: boundedValue(trace.output, maxOutput),
      latency: trace.latency,
      totalCost: trace.totalCost,
      scores: trace.scores,
    });
    const pages = await pool(idBatches(ids), IN_FLIGHT, (batch) =>
      this.allPages<ApiTrace, ApiTrace>('/api/public/traces', { filter: this.idFilter(batch), fields: 'core,io,scores,metrics' }, batch.length, keep),
    );
    return new Map(pages.flat().map((trace) => [trace.id, trace]));
  }

  private async errorTraces(ids: string[]): Promise<Set<string>> {
    const errorFilter = { type: 'number', column: 'errorCount', operator: '>', value: 0 };
    const pages = await pool(idBatches(ids), IN_FLIGHT, (batch) =>
      this.allPages<{ id: string }>('/api/public/traces', { filter: this.idFilter(batch, [errorFilter]), fields: 'core' }, batch.length),
    );
    return new Set(pages.flat().map((trace) => trace.id));
  }

  private async scoresById(ids: string[]): Promise<Score[]> {
    // What a comparison needs of a score; its comment and metadata are left behind.
    const keep = (score: Score): Score => ({ ...score, comment: null, metadata: null });
    const pages = await pool(idBatches(ids), IN_FLIGHT, (batch) =>
      this.allPages<Score, Score>('/api/public/v2/scores', { scoreIds: batch.join(','), fields: 'score' }, batch.length, keep),
    );
    return pages.flat();
  }

  // ---- v4 events_only: experiments -------------------------------------------------------------

  private async loadExperiment(dataset: ApiDataset, experiment: ApiExperiment): Promise<RunResults> {
    const maxOutput = shareOf(experiment.itemCount);
    const raw = await this.allCursor<ApiExperimentItem, RunItemResult>(
      '/api/public/experiment-items',
      { fromStartTime: EPOCH, experimentId: experiment.id, fields: 'core,dataset,io,scores' },
      MAX_RUN_ITEMS,
      (item) => ({
        datasetItemId: item.experimentItemId,
        traceId: item.traceId,
        observationId: item.id,
        output: boundedValue(item.output, maxOutput),
        scores: latestByName(item.scores ?? [], scoreValueV3),
        latency: seconds(item.startTime, item.endTime),
        totalCost: null,
        error: item.level === 'ERROR',
        createdAt: item.startTime,
      }),
    );
    const items = latestPerItem(raw);
    return {
      run: {
        id: experiment.id,
        name: experiment.name,
        description: experiment.description,
        datasetId: experiment.datasetId ?? dataset.id,
        datasetName: dataset.name,
        createdAt: experiment.startTime,
        updatedAt: experiment.endTime,
        runScores: latestByName(experiment.scores ?? [], scoreValueV3),
        ...aggregateRun(items),
      },
      items,
    };
  }

  // ---- live ------------------------------------------------------------------------------------

  watch(datasetName: string, onChange: () => void): () => void {
    let stopped = false;
    let timer: NodeJS.Timeout | null = null;
    let debounce: NodeJS.Timeout | null = null;
    let source: EventSource | null = null;
    const fire = () => {
      if (stopped || debounce) return;
      debounce = setTimeout(() => {
        debounce = null;
        if (!stopped) onChange();
      }, 300);
    };
    const poll = async (previous: string | null) => {
      if (stopped) return;
      let next = previous;
      try {
        next = await this.fingerprint(datasetName);
        if (previous !== null && next !== previous) fire();
      } catch {
        // A failed poll changes nothing; the next one tries again.
      }
      if (!stopped) timer = setTimeout(() => void poll(next), 5_000);
    };
    const listen = (datasetId: string) => {
      // Run items of this dataset, the scores of their traces, and run-level scores. (A v4
      // events_only twin writes no run items: it is polled like any Langfuse.)
      const traces = new Set<string>();
      const parse = (event: MessageEvent): any => {
        try {
          return JSON.parse(String(event.data));
        } catch {
          return null;
        }
      };
      const authorization = this.client.http.authHeader;
      source = new EventSource(this.client.http.url('/api/public/stream', { kinds: 'dataset-run-item,score' }), {
        fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), authorization } }),
      });
      source.addEventListener('dataset-run-item', (event) => {
        const payload = parse(event);
        if (payload?.datasetId !== datasetId) return;
        if (typeof payload.data?.traceId === 'string' && traces.size < MAX_RUN_ITEMS) traces.add(payload.data.traceId);
        fire();
      });
      source.addEventListener('score', (event) => {
        const score = parse(event)?.data;
        if (score?.datasetRunId || (typeof score?.traceId === 'string' && traces.has(score.traceId))) fire();
      });
    };
    void Promise.all([this.client.backend(), this.dataset(datasetName)])
      .then(([info, dataset]) => {
        if (stopped) return;
        if (info.streams && info.generation === 'v1') listen(dataset.id);
        else void poll(null);
      })
      .catch(() => void poll(null));
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (debounce) clearTimeout(debounce);
      source?.close();
    };
  }

  /** What changes when a run of the dataset gains an item or a score (polling backends). */
  private async fingerprint(datasetName: string): Promise<string> {
    const dataset = await this.get<ApiDataset>(`/api/public/v2/datasets/${encodeURIComponent(datasetName)}`, {}, 'background');
    if (await this.eventsOnly()) {
      const experiments = await this.get<{ data: ApiExperiment[] }>(
        '/api/public/experiments',
        { fromStartTime: EPOCH, datasetId: dataset.id, fields: 'core,scores', limit: 100 },
        'background',
      );
      return JSON.stringify(experiments.data.map((e) => [e.id, e.itemCount, e.endTime, e.scores?.length ?? 0]));
    }
    const runs = await this.get<Paged<ApiRun>>(`/api/public/datasets/${encodeURIComponent(dataset.name)}/runs`, { limit: 100 }, 'background');
    const newest = runs.data[0];
    const items = newest
      ? await this.get<Paged<unknown>>('/api/public/dataset-run-items', { datasetId: dataset.id, runName: newest.name, limit: 1 }, 'background')
      : null;
    const scores = newest ? await this.get<Paged<unknown>>('/api/public/v2/scores', { datasetRunId: newest.id, fields: 'score', limit: 1 }, 'background') : null;
    return JSON.stringify([runs.meta.totalItems, newest?.updatedAt, items?.meta.totalItems, scores?.meta.totalItems]);
  }
}
