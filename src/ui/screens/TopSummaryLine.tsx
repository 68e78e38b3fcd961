// The trace list's header: the last 15 minutes of the stream in one line — traces, rate,
// error %, p95 and a sparkline (top's summary).
import React from 'react';
import { Text } from 'ink';
import { sanitizeLine } from '../../domain/sanitize.js';
import { summaryLine } from '../format-top.js';
import { useTui } from '../store-context.js';
import { theme } from '../theme.js';
import { Spark } from './TopScreen.js';

/** Rows the summary takes above the list: one, unless the terminal is too small to spare it. */
export const summaryRows = (bodyHeight: number, width: number): number => (bodyHeight >= 8 && width >= 60 ? 1 : 0);

export function TopSummaryLine({ width }: { width: number }) {
  const summary = useTui((state) => state.top.summary);
  const sparkWidth = Math.min(30, Math.max(0, Math.floor(width / 4)));
  const line = summaryLine(summary, sparkWidth);
  if (!line) return <Text color={theme.muted}>15m: waiting for traces</Text>;
  const text = sanitizeLine(line.text, Math.max(0, width - sparkWidth - 3), '~');
  const total = summary!.total;
  return (
    <Text wrap="truncate-end">
      <Text color={line.errors ? theme.warning : theme.muted}>{text}</Text>
      {sparkWidth > 0 && text.length + sparkWidth + 3 <= width && total.count > 0 ? (
        <>
          <Text> </Text>
          <Spark counts={total.sparkCount} errors={total.sparkErrors} width={sparkWidth} />
        </>
      ) : null}
    </Text>
  );
}
