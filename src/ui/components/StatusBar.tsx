// One line: connection state, host, filter, rate, buffer, pause — what an on-call engineer
// checks first when the list looks wrong.
import React, { useRef } from 'react';
import { Text } from 'ink';
import { newSincePause, traceRate } from '../../store/store.js';
import { sanitizeLine, stringWidth } from '../../domain/sanitize.js';
import { useTui } from '../store-context.js';
import { theme } from '../theme.js';
import { describeHistory, describeRateLimit } from '../../stream/status-text.js';

/** The connection state's colour, read at render time (the theme may change, or be off). */
const stateColour = (state: string): string | undefined => (state === 'live' || state === 'polling' ? theme.ok : state === 'offline' ? theme.error : theme.warning);

/** How long a connection has been down shows from this age on: a hung stream says so. */
const SHOW_AGE_AFTER_MS = 10_000;

const formatAge = (ms: number): string => {
  const seconds = Math.floor(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
};

export function StatusBar({ width }: { width: number }) {
  const status = useTui((state) => state.status);
  const filterText = useTui((state) => state.filterText);
  const order = useTui((state) => state.order);
  const traces = useTui((state) => state.traces);
  const buffered = order.length;
  const evicted = useTui((state) => state.evicted);
  const paused = useTui((state) => newSincePause(state));
  const follow = useTui((state) => state.follow);
  const scoring = useTui((state) => state.scoring.sender);
  const quickLabel = useTui((state) => state.scoring.quickLabel);
  const readOnly = useTui((state) => state.readOnly);
  const redact = useTui((state) => state.redact);
  useTui((state) => state.version);
  // Since when the connection has been in this state (not the detail, which counts down).
  const since = useRef({ state: status.state, at: Date.now() });
  if (since.current.state !== status.state) since.current = { state: status.state, at: Date.now() };
  const down = status.state === 'connecting' || status.state === 'reconnecting' || status.state === 'offline';
  const downFor = down ? Date.now() - since.current.at : 0;
  const rate = traceRate({ order, traces });
  const host = status.host.replace(/^https?:\/\//, '');
  const parts: { text: string; color?: string; bold?: boolean }[] = [
    { text: `● ${status.state}${downFor >= SHOW_AGE_AFTER_MS ? ` for ${formatAge(downFor)}` : ''}`, color: stateColour(status.state), bold: true },
  ];
  if (scoring.pending) parts.push({ text: `  ${scoring.pending} score${scoring.pending === 1 ? '' : 's'} pending${scoring.detail ? ` (${scoring.detail})` : ''}`, color: theme.warning });
  if (scoring.failed) parts.push({ text: `  ${scoring.failed} score${scoring.failed === 1 ? '' : 's'} failed`, color: theme.error, bold: true });
  // Live has a detail only when something went wrong beside the stream (history failed to
  // load): show it, in the warning colour, or the list looks empty for no reason.
  if (status.detail) parts.push({ text: ` ${status.detail}`, color: status.state === 'live' ? theme.warning : stateColour(status.state) });
  if (status.rateLimit) parts.push({ text: `  ${describeRateLimit(status.rateLimit)}`, color: theme.warning });
  parts.push({ text: `  ${host}`, color: theme.muted });
  if (filterText) parts.push({ text: `  filter: ${filterText}`, color: theme.accent });
  parts.push({ text: `  ${rate.toFixed(1)}/s` });
  parts.push({ text: `  ${buffered.toLocaleString('en-US')} buffered${evicted ? ` (${evicted.toLocaleString('en-US')} evicted)` : ''}`, color: theme.muted });
  if (quickLabel) parts.push({ text: `  LABEL ${quickLabel.name}`, color: theme.accent, bold: true });
  if (readOnly) parts.push({ text: '  read-only', color: theme.muted });
  if (redact) parts.push({ text: '  REDACTED', color: theme.warning, bold: true });
  if (!follow) parts.push({ text: `  PAUSED +${paused} new`, color: theme.warning, bold: true });
  // The history read is news while it runs, when it was cut, or when a window was asked for;
  // a plain "history: 0 traces" on a fresh server would only be noise.
  if (status.history && (status.history.loading || !status.history.complete || status.history.window)) parts.push({ text: `  ${describeHistory(status.history)}`, color: status.history.complete || status.history.loading ? theme.muted : theme.warning });
  parts.push({ text: '  ?:help q:quit', color: theme.muted });
  // Cut to the width part by part so a long detail never wraps the bar onto a second line;
  // the last column stays empty (a character there leaves some terminals about to scroll).
  let room = width - 1;
  return (
    <Text wrap="truncate-end">
      {parts.map((part, index) => {
        if (room <= 0) return null;
        const text = sanitizeLine(part.text, room);
        room -= stringWidth(text);
        return (
          <Text key={index} color={part.color} bold={part.bold}>
            {text}
          </Text>
        );
      })}
    </Text>
  );
}
