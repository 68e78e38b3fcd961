// What the TUI and the CLI may ask about prompts and the traffic linked to their versions.
// Implemented by `src/api/prompts.ts` over either Langfuse generation (the prompt endpoints are
// the same in both; the per-version figures come from the metrics API, cached per window).

import type { PromptOverview, PromptSelector, PromptVersion } from '../domain/prompts.js';
import type { UsageFigures } from '../domain/top.js';

export type { ChatMessage, PromptOverview, PromptSelector, PromptType, PromptVersion } from '../domain/prompts.js';
export { compilePrompt, promptLines, promptVariables, templateParts } from '../domain/prompts.js';

export class PromptNotFoundError extends Error {}

export interface PromptReader {
  /** Every prompt, sorted by name, with its versions and where each label points. */
  listPrompts(): Promise<PromptOverview[]>;
  /** One version: by number, by label, or (empty selector) the `production` label.
   * Rejects with PromptNotFoundError when there is no such prompt, version or label. */
  getPrompt(name: string, selector?: PromptSelector): Promise<PromptVersion>;
  /** Every version of a prompt, newest first (labels, commit message, text). */
  listVersions(name: string): Promise<PromptVersion[]>;
}

/** A time window: `to` defaults to now. */
export interface MetricsWindow {
  from: Date;
  to?: Date;
}

/** The generations linked to one prompt version in a window. Latencies in milliseconds. */
export interface PromptVersionMetrics extends UsageFigures {
  version: number;
}

export interface PromptMetricsResult {
  name: string;
  from: string;
  to: string;
  /** Versions with at least one generation in the window, newest version first. */
  versions: PromptVersionMetrics[];
  /** When the figures were fetched (ISO); a cached answer keeps its original time. */
  fetchedAt: string;
  /** True when this answer came from the per-window cache. */
  cached: boolean;
  /** True against tracetop's own server (no request budget: refetch freely). */
  live: boolean;
}

export interface PromptMetricsReader {
  /** One metrics query that groups every version of the prompt at once; cached per window
   * (rounded to the minute) unless `refresh`. */
  versionMetrics(name: string, window: MetricsWindow, options?: { refresh?: boolean }): Promise<PromptMetricsResult>;
}
