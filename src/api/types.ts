// What the UI and the CLI may ask of a backend. Implemented by the HTTP client over
// either Langfuse API generation; the UI depends on this interface only.

// The interfaces live in `src/ports/readers.ts` (a neutral place the store and UI import from);
// re-exported here so the client's code keeps its imports.
export type {
  TraceQuery,
  ScoreCondition,
  ScoreOperator,
  TraceLoadOptions,
  TraceReader,
  ScoreWriter,
  SessionReader,
  QueueClient,
  Score,
} from '../ports/readers.js';
