// Sessions among the buffered traces, and one session replayed as a conversation: each
// turn's input and output, in order; Enter opens the turn's trace.
import React from 'react';
import { Box, Text } from 'ink';
import { fitWidth, sanitizeLine } from '../../domain/sanitize.js';
import { sessionIndex, sessionRows, type SessionRow } from '../../store/slices/sessions.js';
import type { TraceWithFullDetails } from '../../domain/types.js';
import type { ColumnSpec } from '../table-layout.js';
import { useColumnLayout } from '../use-column-layout.js';
import { formatCost, formatTime, plural } from '../format.js';
import { useTui } from '../store-context.js';
import { theme } from '../theme.js';
import { REDACTED } from '../../domain/redact.js';

const COLUMNS: ColumnSpec<SessionRow>[] = [
  { id: 'session', header: 'SESSION', min: 10, max: 30, priority: 1, flex: true, cell: (row) => row.id },
  { id: 'user', header: 'USER', min: 6, max: 14, priority: 3, cell: (row) => row.userId ?? '' },
  { id: 'traces', header: 'TURNS', min: 5, max: 6, priority: 2, align: 'right', cell: (row) => String(row.traces) },
  { id: 'first', header: 'FIRST', min: 8, max: 8, priority: 5, cell: (row) => formatTime(row.first) },
  { id: 'last', header: 'LAST', min: 8, max: 8, priority: 4, cell: (row) => formatTime(row.last) },
  { id: 'cost', header: 'COST', min: 8, max: 9, priority: 6, align: 'right', cell: (row) => formatCost(row.totalCost) },
  { id: 'errors', header: 'ERR', min: 3, max: 4, priority: 7, align: 'right', cell: (row) => (row.errors ? String(row.errors) : ''), color: (row) => (row.errors ? theme.error : undefined) },
];

export function SessionsScreen({ width, height }: { width: number; height: number }) {
  useTui((state) => state.version);
  const traces = useTui((state) => state.traces);
  const sessionId = useTui((state) => state.sessions.selectedId);
  const redact = useTui((state) => state.redact);
  const sorted = sessionRows({ traces });
  // The selection is a session, not a row: as sessions update and re-sort, it moves with them.
  const cursor = sessionIndex(sorted, sessionId);
  const rows = sorted.map((row) => (redact ? { ...row, id: `${REDACTED} ${row.id.slice(-4)}`, userId: row.userId ? REDACTED : null } : row));
  const bodyHeight = Math.max(0, height - 2);
  const top = Math.max(0, Math.min(cursor - bodyHeight + 1, rows.length - bodyHeight));
  const columns = useColumnLayout(COLUMNS, rows.slice(top, top + bodyHeight), width, redact ? 'redacted' : 'plain');
  const lines: React.ReactNode[] = [];
  for (let line = 0; line < bodyHeight; line++) {
    const index = Math.max(0, top) + line;
    const row = rows[index];
    if (!row) {
      lines.push(<Text key={line}>{index === 0 ? '  no sessions among the buffered traces' : ' '}</Text>);
      continue;
    }
    lines.push(
      <Text key={line} inverse={index === cursor} wrap="truncate-end">
        {columns.map((column, columnIndex) => (
          <Text key={column.id} color={column.color?.(row)}>
            {(columnIndex > 0 ? ' ' : '') + fitWidth(column.cell(row), column.width, column.align)}
          </Text>
        ))}
      </Text>,
    );
  }
  return (
    <Box flexDirection="column" height={height}>
      <Text bold color={theme.accent}>Sessions ({rows.length}) — Enter: replay the conversation, Esc: back</Text>
      <Text bold color={theme.muted} wrap="truncate-end">
        {columns.map((column, index) => (index > 0 ? ' ' : '') + fitWidth(column.header, column.width, column.align)).join('')}
      </Text>
      {lines}
    </Box>
  );
}

/** The text of a turn's input or output, however the SDK shaped it. */
export function turnText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const last = value[value.length - 1] as { content?: unknown } | undefined;
    if (last && typeof last === 'object' && 'content' in last) return turnText(last.content);
  }
  if (typeof value === 'object') {
    for (const key of ['question', 'query', 'input', 'answer', 'output', 'content', 'text', 'message']) {
      const field = (value as Record<string, unknown>)[key];
      if (typeof field === 'string') return field;
    }
  }
  return JSON.stringify(value);
}

function Turn({ trace, width, selected, redact }: { trace: TraceWithFullDetails; width: number; selected: boolean; redact: boolean }) {
  const errored = trace.observations.some((observation) => observation.level === 'ERROR');
  return (
    <Box flexDirection="column">
      <Text inverse={selected} color={theme.muted} wrap="truncate-end">
        {sanitizeLine(`${formatTime(trace.timestamp)}  ${trace.name ?? trace.id}  ${trace.id}`, width)}
      </Text>
      <Text wrap="truncate-end">
        <Text color={theme.accent}>› </Text>
        {sanitizeLine(redact ? REDACTED : turnText(trace.input), width - 2)}
      </Text>
      <Text wrap="truncate-end" color={errored ? theme.error : undefined}>
        {'‹ '}
        {sanitizeLine(redact ? REDACTED : turnText(trace.output) || (errored ? '(error: no answer)' : '(no output)'), width - 2)}
      </Text>
    </Box>
  );
}

export function SessionScreen({ width, height }: { width: number; height: number }) {
  const session = useTui((state) => state.sessions.conversation);
  const redact = useTui((state) => state.redact);
  if (!session) return null;
  const title = sanitizeLine(`Session ${session.id} — ${plural(session.traces.length, 'turn')} — Enter: open the turn's trace, Esc: back`, width);
  if (session.state !== 'loaded') {
    return (
      <Box flexDirection="column" height={height}>
        <Text bold color={theme.accent}>{title}</Text>
        <Text color={session.state === 'error' ? theme.error : theme.muted}>{session.state === 'error' ? sanitizeLine(`could not load: ${session.error}`, width) : 'loading…'}</Text>
      </Box>
    );
  }
  // Three lines a turn; keep the selected turn on screen.
  const perPage = Math.max(1, Math.floor((height - 1) / 3));
  const top = Math.max(0, Math.min(session.cursor - perPage + 1, session.traces.length - perPage));
  return (
    <Box flexDirection="column" height={height}>
      <Text bold color={theme.accent}>{title}</Text>
      {session.traces.slice(top, top + perPage).map((trace, index) => (
        <Turn key={trace.id} trace={trace} width={width} selected={top + index === session.cursor} redact={redact} />
      ))}
    </Box>
  );
}
