// `C`: the sessions among the buffered traces, and one session replayed as a conversation.
// The selection is a session id, not a row: the list re-sorts as sessions update (most
// recently active first) and the selected session stays selected wherever it moves, so Enter
// opens the session the user sees selected.

import type { TraceWithFullDetails } from '../../domain/types.js';
import type { SessionReader, TraceReader } from '../../ports/readers.js';
import type { TuiState } from '../store.js';
import { clamp, type Slice, type SliceContext } from './types.js';

export interface SessionRow {
  id: string;
  userId: string | null;
  traces: number;
  first: string;
  last: string;
  totalCost: number;
  errors: number;
}

/** The conversation being read: a session's traces in order. */
export interface Conversation {
  id: string;
  state: 'loading' | 'loaded' | 'error';
  traces: TraceWithFullDetails[];
  error: string | null;
  /** The selected turn. */
  cursor: number;
}

export interface SessionsState {
  /** The selected session in the list, by id. */
  selectedId: string | null;
  conversation: Conversation | null;
}

export interface SessionsSliceState {
  sessions: SessionsState;
}

export interface SessionsActions {
  showSessions(): void;
  /** Moves the selection by rows of the list as sorted now. */
  moveSessionCursor(delta: number): void;
  openSession(): void;
  moveTurnCursor(delta: number): void;
  openTurn(): void;
}

export interface SessionsDeps {
  reader: TraceReader & Partial<SessionReader>;
}

/** Sessions among the buffered traces, most recently active first. */
export function sessionRows(state: Pick<TuiState, 'traces'>): SessionRow[] {
  const rows = new Map<string, SessionRow>();
  for (const trace of state.traces.values()) {
    if (!trace.sessionId) continue;
    const row = rows.get(trace.sessionId) ?? { id: trace.sessionId, userId: trace.userId, traces: 0, first: trace.timestamp, last: trace.timestamp, totalCost: 0, errors: 0 };
    row.traces++;
    if (trace.timestamp < row.first) row.first = trace.timestamp;
    if (trace.timestamp > row.last) row.last = trace.timestamp;
    row.totalCost += trace.totalCost ?? 0;
    row.errors += trace.errorCount;
    row.userId ??= trace.userId;
    rows.set(trace.sessionId, row);
  }
  return [...rows.values()].sort((a, b) => b.last.localeCompare(a.last));
}

/** Where the selected session is in `rows` (the first row when it is gone or none is selected). */
export function sessionIndex(rows: readonly SessionRow[], sessionId: string | null): number {
  if (sessionId === null) return 0;
  const index = rows.findIndex((row) => row.id === sessionId);
  return index < 0 ? 0 : index;
}

export function createSessionsSlice({ set, get, deps, core }: SliceContext<SessionsDeps>): Slice<SessionsSliceState, SessionsActions> {
  const sessions = () => get().sessions;
  const update = (patch: Partial<SessionsState>) => set({ sessions: { ...sessions(), ...patch } });
  const setConversation = (conversation: Conversation) => update({ conversation });

  const actions: SessionsActions = {
    showSessions() {
      const screens = get().screens.filter((screen) => screen === 'list');
      set({ screens: [...screens, 'sessions'], sessions: { ...sessions(), selectedId: sessionRows(get())[0]?.id ?? null } });
    },
    moveSessionCursor(delta) {
      const rows = sessionRows(get());
      const index = clamp(sessionIndex(rows, sessions().selectedId) + delta, 0, Math.max(0, rows.length - 1));
      update({ selectedId: rows[index]?.id ?? null });
    },
    openSession() {
      const rows = sessionRows(get());
      const row = rows[sessionIndex(rows, sessions().selectedId)];
      if (!row) return;
      set({ sessions: { ...sessions(), conversation: { id: row.id, state: 'loading', traces: [], error: null, cursor: 0 } }, screens: [...get().screens, 'session'] });
      const load = deps.reader.getSessionTraces
        ? deps.reader.getSessionTraces(row.id)
        : Promise.all([...get().traces.values()].filter((trace) => trace.sessionId === row.id).map((trace) => deps.reader.getTrace(trace.id)));
      load.then(
        (traces) => {
          if (sessions().conversation?.id !== row.id) return;
          const ordered = [...traces].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
          setConversation({ id: row.id, state: 'loaded', traces: ordered, error: null, cursor: 0 });
        },
        (error: unknown) => {
          if (sessions().conversation?.id !== row.id) return;
          setConversation({ id: row.id, state: 'error', traces: [], error: error instanceof Error ? error.message : String(error), cursor: 0 });
        },
      );
    },
    moveTurnCursor(delta) {
      const conversation = sessions().conversation;
      if (!conversation) return;
      setConversation({ ...conversation, cursor: clamp(conversation.cursor + delta, 0, Math.max(0, conversation.traces.length - 1)) });
    },
    openTurn() {
      const conversation = sessions().conversation;
      const trace = conversation?.traces[conversation.cursor];
      if (trace) core.openTrace(trace.id);
    },
  };
  return { state: { sessions: { selectedId: null, conversation: null } }, actions };
}
