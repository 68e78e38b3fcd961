// A prompt's versions, newest first: labels, commit message, and the generations linked to
// each version in the window (count, error %, p50/p95, tokens, cost, score means) from one
// grouped metrics query, cached per window; its age is shown. Enter: the text; d: the diff;
// t: the traces of that version; w: the window; r: read the metrics again.
import React, { useMemo } from 'react';
import { Box } from 'ink';
import { PROMPT_WINDOWS } from '../../store/slices/prompts.js';
import { layoutColumns } from '../table-layout.js';
import { metricScoreNames, versionColumns, type VersionRowView } from '../format-prompts.js';
import { Table } from '../components/Table.js';
import { useTui } from '../store-context.js';
import { theme } from '../theme.js';
import { Title } from '../components/Title.js';

/** `as of 12:03:05 (cached, 3m old)`. */
export function metricsAge(fetchedAt: string, cached: boolean, live: boolean, now = Date.now()): string {
  const at = Date.parse(fetchedAt);
  if (Number.isNaN(at)) return '';
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  const age = seconds < 60 ? `${seconds}s` : seconds < 3600 ? `${Math.floor(seconds / 60)}m` : `${Math.floor(seconds / 3600)}h`;
  return `metrics as of ${new Date(at).toTimeString().slice(0, 8)} (${live ? 'live' : cached ? `cached, ${age} old` : `${age} old`})`;
}

export function PromptVersionsScreen({ width, height }: { width: number; height: number }) {
  const name = useTui((state) => state.prompts.name);
  const versions = useTui((state) => state.prompts.versions);
  const cursor = useTui((state) => state.prompts.versionCursor);
  const marked = useTui((state) => state.prompts.marked);
  const metrics = useTui((state) => state.prompts.metrics);
  const windowIndex = useTui((state) => state.prompts.window);
  const byVersion = useMemo(() => new Map((metrics.data?.versions ?? []).map((m) => [m.version, m])), [metrics.data]);
  const scoreNames = useMemo(() => metricScoreNames(metrics.data?.versions ?? []), [metrics.data]);
  const columns = useMemo(() => layoutColumns(versionColumns(scoreNames, { error: theme.error }), width), [scoreNames, width]);
  const rows: VersionRowView[] = useMemo(() => (versions.data ?? []).map((version) => ({ version, metrics: byVersion.get(version.version), marked: marked === version.version })), [versions.data, byVersion, marked]);
  const window = PROMPT_WINDOWS[windowIndex]!.label;
  const age = metrics.data ? metricsAge(metrics.data.fetchedAt, metrics.data.cached, metrics.data.live) : metrics.state === 'loading' ? 'metrics loading' : metrics.state === 'error' ? `metrics failed: ${metrics.error}` : 'no metrics';
  return (
    <Box flexDirection="column" height={height}>
      <Title text={`${name ?? ''}: versions (${rows.length}) | last ${window} | ${age}`} loadable={versions} width={width} hint="Enter:text d:diff Space:mark t:traces w:window r:refresh" />
      <Table columns={columns} rows={rows} cursor={cursor} height={height - 1} rowKey={(row) => String(row.version.version)} empty={versions.state === 'loading' ? 'loading versions...' : 'no versions'} />
    </Box>
  );
}
