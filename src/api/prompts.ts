// The prompt registry and per-version traffic over either Langfuse generation. The prompt
// endpoints are the same everywhere (and unlimited); the per-version figures come from the
// metrics API (two queries that group every version at once: the figures, and the errors),
// cached per window, plus the mean of each numeric score on the traces of each version, from
// the window's traces filtered to that version (the list's own history read, capped).

import { PromptNotFoundError, type MetricsWindow, type PromptMetricsReader, type PromptMetricsResult, type PromptReader, type PromptVersionMetrics } from '../ports/prompts.js';
import type { ChatMessage, PromptOverview, PromptSelector, PromptType, PromptVersion } from '../domain/prompts.js';
import type { LangfuseClient } from './client.js';
import { LangfuseApiError } from './http.js';
import { MetricsClient, num, numOrNull } from './metrics.js';

/** Traces per version read for its score means. */
const SCORE_SAMPLE = 1_000;
const PARALLEL = 8;

type Backend = Pick<LangfuseClient, 'http' | 'backend' | 'history'>;

interface PromptMeta {
  name: string;
  type?: PromptType;
  versions: number[];
  labels: string[];
  tags: string[];
  lastUpdatedAt: string;
}

const path = (name: string) => `/api/public/v2/prompts/${encodeURIComponent(name)}`;

function toVersion(raw: Record<string, unknown>): PromptVersion {
  return {
    name: String(raw.name),
    version: num(raw.version),
    type: raw.type === 'chat' ? 'chat' : 'text',
    prompt: (Array.isArray(raw.prompt) ? raw.prompt : String(raw.prompt ?? '')) as string | ChatMessage[],
    config: raw.config ?? {},
    labels: Array.isArray(raw.labels) ? raw.labels.map(String) : [],
    tags: Array.isArray(raw.tags) ? raw.tags.map(String) : [],
    commitMessage: typeof raw.commitMessage === 'string' ? raw.commitMessage : null,
    createdAt: typeof raw.createdAt === 'string' ? raw.createdAt : undefined,
    updatedAt: typeof raw.updatedAt === 'string' ? raw.updatedAt : undefined,
  };
}

async function inBatches<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += PARALLEL) results.push(...(await Promise.all(items.slice(i, i + PARALLEL).map(fn))));
  return results;
}

export class PromptClient implements PromptReader, PromptMetricsReader {
  private readonly metricsClient: MetricsClient;
  private readonly cache = new Map<string, PromptMetricsResult>();

  constructor(private readonly client: Backend, metrics?: MetricsClient) {
    this.metricsClient = metrics ?? new MetricsClient(client);
  }

  private async metas(): Promise<PromptMeta[]> {
    const all: PromptMeta[] = [];
    for (let page = 1; ; page++) {
      const reply = await this.client.http.json<{ data: PromptMeta[]; meta: { totalPages: number } }>('GET', '/api/public/v2/prompts', { query: { page, limit: 100 } });
      all.push(...(reply.data ?? []));
      if (page >= (reply.meta?.totalPages ?? 0) || page >= 100) return all;
    }
  }

  async listPrompts(): Promise<PromptOverview[]> {
    const metas = await this.metas();
    return inBatches(metas, async (meta) => {
      const labels: Record<string, number> = {};
      for (const label of [...meta.labels].sort()) {
        try {
          labels[label] = (await this.getPrompt(meta.name, { label })).version;
        } catch (error) {
          if (!(error instanceof PromptNotFoundError)) throw error;
        }
      }
      return {
        name: meta.name,
        type: meta.type ?? 'text',
        versions: [...meta.versions].map(Number).sort((a, b) => a - b),
        labels,
        tags: meta.tags ?? [],
        lastUpdatedAt: meta.lastUpdatedAt,
      };
    });
  }

  async getPrompt(name: string, selector: PromptSelector = {}): Promise<PromptVersion> {
    const query = 'version' in selector ? { version: selector.version } : 'label' in selector ? { label: selector.label } : {};
    try {
      return toVersion(await this.client.http.json<Record<string, unknown>>('GET', path(name), { query, attempts: 2 }));
    } catch (error) {
      if (error instanceof LangfuseApiError && error.status === 404) {
        const which = 'version' in selector ? `version ${selector.version}` : `label '${'label' in selector ? selector.label : 'production'}'`;
        throw new PromptNotFoundError(`prompt '${name}' has no ${which}`);
      }
      throw error;
    }
  }

  async listVersions(name: string): Promise<PromptVersion[]> {
    const reply = await this.client.http.json<{ data: PromptMeta[] }>('GET', '/api/public/v2/prompts', { query: { name, limit: 1 } });
    const meta = reply.data?.find((item) => item.name === name);
    if (!meta) throw new PromptNotFoundError(`no prompt named '${name}'`);
    const versions = await inBatches([...meta.versions].map(Number).sort((a, b) => b - a), (version) => this.getPrompt(name, { version }));
    return versions;
  }

  async versionMetrics(name: string, window: MetricsWindow, options: { refresh?: boolean } = {}): Promise<PromptMetricsResult> {
    const to = window.to ?? new Date();
    const minute = (date: Date) => new Date(Math.floor(date.getTime() / 60_000) * 60_000).toISOString();
    const key = `${name}|${minute(window.from)}|${minute(to)}`;
    const cached = this.cache.get(key);
    if (cached && !options.refresh) return { ...cached, cached: true };
    const { streams } = await this.client.backend();
    const fromTimestamp = window.from.toISOString();
    const toTimestamp = to.toISOString();
    const filters = [
      { column: 'promptName', type: 'stringOptions', operator: 'any of', value: [name] },
      { column: 'type', type: 'stringOptions', operator: 'any of', value: ['GENERATION'] },
    ];
    const base = { view: 'observations' as const, fromTimestamp, toTimestamp, dimensions: [{ field: 'promptVersion' }] };
    const refresh = options.refresh ?? false;
    const main = await this.metricsClient.metrics({
      ...base,
      filters,
      metrics: [
        { measure: 'count', aggregation: 'count' },
        { measure: 'latency', aggregation: 'p50' },
        { measure: 'latency', aggregation: 'p95' },
        { measure: 'totalTokens', aggregation: 'sum' },
        { measure: 'totalCost', aggregation: 'sum' },
      ],
    }, { refresh });
    const errors = await this.metricsClient.metrics({
      ...base,
      filters: [...filters, { column: 'level', type: 'stringOptions', operator: 'any of', value: ['ERROR'] }],
      metrics: [{ measure: 'count', aggregation: 'count' }],
    }, { refresh });
    const errorsByVersion = new Map(errors.map((row) => [numOrNull(row.promptVersion), num(row.count_count)]));
    const versions: PromptVersionMetrics[] = [];
    for (const row of main) {
      const version = numOrNull(row.promptVersion);
      if (version === null) continue;
      const count = num(row.count_count);
      const errorCount = errorsByVersion.get(version) ?? 0;
      versions.push({
        version, count, errorCount, errorRate: count ? errorCount / count : 0,
        latencyP50: numOrNull(row.p50_latency), latencyP95: numOrNull(row.p95_latency),
        totalTokens: num(row.sum_totalTokens), totalCost: num(row.sum_totalCost), scores: {},
      });
    }
    versions.sort((a, b) => b.version - a.version);
    const histories = await inBatches(versions, (entry) =>
      this.client.history({ prompt: { name, version: entry.version }, fromTimestamp, toTimestamp }, { capacity: SCORE_SAMPLE }),
    );
    // Stock Langfuse's trace lists carry no scores: the window's scores (read once) fill them in.
    const all = histories.flatMap((history) => history.traces);
    const completed = streams ? all : await this.metricsClient.completeSummaries(all, fromTimestamp, toTimestamp, false);
    const byId = new Map(completed.map((trace) => [trace.id, trace]));
    versions.forEach((entry, index) => {
      const sums = new Map<string, [number, number]>();
      const wanted = `${name}@${entry.version}`;
      for (const listed of histories[index]!.traces) {
        const trace = byId.get(listed.id) ?? listed;
        if (trace.prompts !== undefined && !trace.prompts.includes(wanted)) continue;
        for (const [score, value] of Object.entries(trace.scores)) {
          if (typeof value !== 'number') continue;
          const sum = sums.get(score) ?? [0, 0];
          sums.set(score, [sum[0] + value, sum[1] + 1]);
        }
      }
      entry.scores = Object.fromEntries([...sums].sort(([a], [b]) => (a < b ? -1 : 1)).map(([score, [sum, n]]) => [score, sum / n]));
    });
    const result: PromptMetricsResult = { name, from: fromTimestamp, to: toTimestamp, versions, fetchedAt: new Date().toISOString(), cached: false, live: streams };
    this.cache.set(key, result);
    if (this.cache.size > 100) this.cache.delete(this.cache.keys().next().value as string);
    return result;
  }
}
