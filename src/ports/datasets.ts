// What the TUI and the CLI may ask about datasets and experiment runs. Implemented by
// `src/api/datasets.ts` over either Langfuse generation (self-hosted v3: the dataset-run reads;
// Cloud / v4 events_only: the experiments endpoints); consumers depend on this interface only.
// The shapes are pure domain types (`src/domain/experiments.ts`).

import type { Comparison, CompareOptions, DatasetItemView, DatasetSummary, RunResults, RunSummary } from '../domain/experiments.js';

export type {
  Comparison,
  ComparisonItem,
  ComparisonSide,
  CompareOptions,
  DatasetItemView,
  DatasetSummary,
  ItemVerdict,
  RunAggregate,
  RunItemResult,
  RunResults,
  RunSummary,
  ScoreValue,
} from '../domain/experiments.js';
export { ExperimentNotFoundError } from '../domain/experiments.js';

export interface DatasetReader {
  /** Every dataset with item count, run count and last run; newest dataset first. */
  listDatasets(): Promise<DatasetSummary[]>;
  /** A dataset's runs with their aggregates, newest first. Rejects with ExperimentNotFoundError for an unknown dataset. */
  listRuns(datasetName: string): Promise<RunSummary[]>;
  /** A dataset's ACTIVE items, oldest first. */
  listItems(datasetName: string): Promise<DatasetItemView[]>;
  /** One run with every item it covered (outputs, scores, latency, cost). */
  loadRun(datasetName: string, runName: string): Promise<RunResults>;
  /**
   * Two runs side by side, one row per dataset item. Rejects with ExperimentNotFoundError when
   * the dataset or either run is unknown.
   */
  loadComparison(datasetName: string, baseRun: string, newRun: string, options?: CompareOptions): Promise<Comparison>;
  /**
   * Calls `onChange` (debounced) when run items or run scores of this dataset may have changed
   * — runs still running fill in live: re-read what is on screen. Returns the unsubscribe.
   */
  watch(datasetName: string, onChange: () => void): () => void;
}
