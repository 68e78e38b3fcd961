// The live trace stream for a filter, as tui and tail consume it: Langfuse parameters
// server-side, the rest of the filter checked client-side.

import type { LangfuseClient } from '../api/client.js';
import { clientResidue } from '../api/filter-conditions.js';
import { matchesTrace, toServerQuery, type TraceFilter } from '../domain/filter-language.js';
import { createLiveSource } from '../stream/live-source.js';
import type { LiveSource } from '../stream/types.js';

export function sourceFor(client: LangfuseClient, filter: TraceFilter): Promise<LiveSource> {
  const { query } = toServerQuery(filter);
  const residue = clientResidue(filter);
  return createLiveSource({
    client,
    filter: { ...query, includeIo: filter.text.length > 0 },
    accept: (trace) => matchesTrace(filter, trace),
    // A polled read was filtered by the server (parameters and `filter` conditions): only what none can apply is checked here.
    residual: (trace) => matchesTrace(residue, trace),
    windowLabel: filter.since,
  });
}
