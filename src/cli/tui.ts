// The default command: the full-screen TUI on a terminal, JSON lines when piped.

import { combineFilters, filterFromFlags, matchesTrace, parseFilter, printFilter, toServerQuery, type FilterFlags, type TraceFilter } from '../domain/filter-language.js';
import type { LangfuseClient } from '../api/client.js';
import { createLiveSource } from '../stream/live-source.js';
import type { LiveSource } from '../stream/types.js';
import { loadFilterHistory, saveFilterHistory } from '../config/filter-history.js';
import { connect } from './connect.js';
import { terminalSupportsLinks } from '../ui/hyperlink.js';
import { UsageError } from './get.js';
import { ACCEPTED_FORMS } from '../domain/filter-language.js';

export interface TuiFlags extends FilterFlags {
  host?: string;
  publicKey?: string;
  secretKey?: string;
  profile?: string;
  demo?: boolean;
  port?: number;
  readOnly?: boolean;
  redact?: boolean;
  color?: boolean;
  theme?: string;
}

/** Flags (and a profile's default filter) as one filter; malformed flags fail fast. */
export function filterFromCli(flags: TuiFlags, profileFilter = ''): TraceFilter {
  const fromFlags = filterFromFlags(flags);
  if (!fromFlags.ok) throw new UsageError(`${fromFlags.errors.join('\n  ')}\nAccepted forms: ${ACCEPTED_FORMS}`);
  if (!profileFilter) return fromFlags.filter;
  const fromProfile = parseFilter(profileFilter);
  if (!fromProfile.ok) throw new UsageError(`the profile's filter: ${fromProfile.error.message}`);
  return combineFilters(fromProfile.filter, fromFlags.filter);
}

/** A LiveSource for a filter: Langfuse parameters server-side, the rest checked client-side. */
export function sourceFor(client: LangfuseClient, filter: TraceFilter): Promise<LiveSource> {
  const { query } = toServerQuery(filter);
  return createLiveSource({
    client,
    filter: { ...query, includeIo: filter.text.length > 0 },
    accept: (trace) => matchesTrace(filter, trace),
  });
}

export async function tuiCommand(flags: TuiFlags): Promise<void> {
  // A malformed filter flag fails before anything starts (no embedded server for nothing).
  filterFromCli(flags);
  if (!process.stdout.isTTY) {
    const { tailCommand } = await import('./tail.js');
    return tailCommand({ ...flags, json: true });
  }
  // Colour follows NO_COLOR and --no-color; chalk (under Ink) reads FORCE_COLOR when loaded.
  if (flags.color === false || (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '')) process.env.FORCE_COLOR = '0';
  // Ink's import (its layout engine) is the slowest part of start-up: load it while connecting.
  const ui = import('../ui/run.js');
  const notices: string[] = [];
  const backend = await connect(flags, (line) => notices.push(line));
  // Ask the backend what it is (health, API generation) while Ink finishes loading: over a real
  // network these round trips would otherwise come after it.
  void backend.client.backend().catch(() => {});
  let traffic: { stop(): Promise<void> } | null = null;
  let scoring: import('../scoring/service.js').ScoringService | null = null;
  try {
    const filter = filterFromCli(flags, backend.filterText);
    if (flags.demo) {
      const { startDemoTraffic } = await import('../demo/traffic.js');
      traffic = startDemoTraffic({ baseUrl: backend.host, publicKey: 'pk-lf-demo', secretKey: 'sk-lf-demo', ratePerSecond: 2 });
    }
    const { runTui } = await ui;
    const { applyTheme } = await import('../ui/theme.js');
    applyTheme(backend.theme);
    const { createScoringService } = await import('../scoring/service.js');
    const { scoreQueuePath } = await import('../scoring/queue-path.js');
    scoring = flags.readOnly ? null : createScoringService({ writer: backend.client, queuePath: scoreQueuePath(backend.host, backend.client.http.connection.publicKey) });
    await runTui({
      scoring: scoring ?? undefined,
      readOnly: flags.readOnly,
      redact: flags.redact,
      // tracetop's own server has no web UI to link to.
      linkBase: backend.server === null && terminalSupportsLinks() ? backend.host : null,
      createSource: (next) => sourceFor(backend.client, next),
      filter,
      filterText: printFilter(filter),
      filterHistory: loadFilterHistory(),
      onFilterHistory: saveFilterHistory,
      reader: backend.client,
      host: backend.host,
    });
  } finally {
    scoring?.close();
    await traffic?.stop();
    await backend.close();
  }
  for (const line of notices) process.stderr.write(`${line}\n`);
}
