// The detail pane's content for the selected observation (or the trace itself) as tokenised
// lines: headline facts first, then input, output and metadata as pretty JSON. Pure, so the
// pane only windows it and `tracetop get` can reuse it.

import type { Observation, Score, TraceWithFullDetails } from '../domain/types.js';
import { formatJson, type JsonLine, type TokenKind } from '../domain/json-view.js';
import { sanitizeText } from '../domain/sanitize.js';
import { formatDuration, TYPE_LABELS, type TreeNode } from '../domain/trace-tree.js';
import { formatCost, formatScoreValue } from './format.js';
import { redactJson, redactId } from '../domain/redact.js';

export type DetailToken = { text: string; kind: TokenKind | 'label' | 'heading' | 'error' | 'warning' | 'plain' };
export type DetailLine = DetailToken[];

const plain = (text: string): DetailToken => ({ text: sanitizeText(text), kind: 'plain' });
const label = (text: string): DetailToken => ({ text, kind: 'label' });

function fact(name: string, value: string | null | undefined, kind: DetailToken['kind'] = 'plain'): DetailLine[] {
  if (value === null || value === undefined || value === '') return [];
  return [[label(`${name.padEnd(11)} `), { text: sanitizeText(value), kind }]];
}

function section(title: string, value: unknown, width: number, maxLines: number): DetailLine[] {
  if (value === null || value === undefined || (typeof value === 'object' && value !== null && Object.keys(value).length === 0)) return [];
  const lines: DetailLine[] = [[{ text: title, kind: 'heading' }]];
  lines.push(...(formatJson(value, { width: Math.max(8, width - 2), maxLines }).map((line: JsonLine) => [{ text: '  ', kind: 'plain' as const }, ...line])));
  lines.push([]);
  return lines;
}

function scoreLines(scores: Score[], redact = false): DetailLine[] {
  if (scores.length === 0) return [];
  const lines: DetailLine[] = [[{ text: 'Scores', kind: 'heading' }]];
  for (const score of scores) {
    const value = score.dataType === 'NUMERIC' ? formatScoreValue(score.value ?? 0) : (score.stringValue ?? String(score.value));
    const line: DetailLine = [plain(`  ${score.name} `), { text: sanitizeText(value), kind: 'number' }, { text: ` (${score.source.toLowerCase()})`, kind: 'fold' }];
    if (score.comment) line.push(plain(` — ${redact ? '‹redacted›' : score.comment}`));
    lines.push(line);
  }
  lines.push([]);
  return lines;
}

const seconds = (value: number | null | undefined) => (value === null || value === undefined ? null : formatDuration(value * 1000));

export function detailLines(trace: TraceWithFullDetails, observation: Observation | null, width: number, maxLines = 2_000, options: { redact?: boolean; host?: string } = {}): DetailLine[] {
  const lines: DetailLine[] = [];
  const payload = (value: unknown) => (options.redact ? redactJson(value) : value);
  const id = (value: string | null) => (options.redact ? redactId(value) : value);
  if (!observation) {
    lines.push([{ text: sanitizeText(trace.name ?? '(unnamed trace)'), kind: 'heading' }, { text: `  trace ${sanitizeText(trace.id)}`, kind: 'fold' }]);
    lines.push(
      ...fact('user', id(trace.userId)),
      ...fact('session', id(trace.sessionId)),
      ...fact('tags', trace.tags.join(', ')),
      ...fact('environment', trace.environment),
      ...fact('release', trace.release),
      ...fact('version', trace.version),
      ...fact('timestamp', trace.timestamp),
      ...fact('link', options.host && trace.htmlPath ? `${options.host.replace(/\/+$/, '')}${trace.htmlPath}` : null),
      ...fact('latency', seconds(trace.latency)),
      ...fact('cost', formatCost(trace.totalCost)),
      ...fact('spans', String(trace.observations.length)),
    );
    lines.push([]);
    lines.push(...scoreLines(trace.scores.filter((score) => !score.observationId), options.redact));
    lines.push(...section('Input', payload(trace.input), width, maxLines), ...section('Output', payload(trace.output), width, maxLines), ...section('Metadata', payload(trace.metadata), width, maxLines));
    return lines;
  }
  const o = observation;
  const levelKind = o.level === 'ERROR' ? 'error' : o.level === 'WARNING' ? 'warning' : 'plain';
  lines.push([{ text: sanitizeText(o.name ?? '(unnamed)'), kind: 'heading' }, { text: `  ${TYPE_LABELS[o.type] ?? o.type} ${sanitizeText(o.id)}`, kind: 'fold' }]);
  const usage = Object.entries(o.usageDetails ?? {}).map(([key, value]) => `${key} ${value}`).join('  ');
  const start = Date.parse(o.startTime);
  const end = o.endTime ? Date.parse(o.endTime) : null;
  lines.push(
    ...fact('level', o.level === 'DEFAULT' ? null : o.level, levelKind),
    ...fact('status', o.statusMessage, levelKind),
    ...fact('model', o.model),
    ...fact('parameters', o.modelParameters && Object.keys(o.modelParameters as object).length ? JSON.stringify(o.modelParameters) : null),
    ...fact('prompt', o.promptName ? `${o.promptName}@${o.promptVersion ?? '?'}` : null),
    ...fact('usage', usage),
    ...fact('cost', o.costDetails?.total !== undefined ? formatCost(o.costDetails.total) : null),
    ...fact('start', o.startTime),
    ...fact('end', o.endTime ?? '(running)'),
    ...fact('duration', end === null ? null : formatDuration(end - start)),
    ...fact('first token', o.completionStartTime ? formatDuration(Date.parse(o.completionStartTime) - start) : null),
  );
  lines.push([]);
  lines.push(...scoreLines(trace.scores.filter((score) => score.observationId === o.id), options.redact));
  lines.push(...section('Input', payload(o.input), width, maxLines), ...section('Output', payload(o.output), width, maxLines), ...section('Metadata', payload(o.metadata), width, maxLines));
  return lines;
}

/** The detail pane for a group row: what the similar siblings add up to, and where they fail. */
export function groupDetailLines(node: TreeNode, width: number): DetailLine[] {
  const group = node.group!;
  const lines: DetailLine[] = [[{ text: sanitizeText(`${group.name || '(unnamed)'} x${group.count}`), kind: 'heading' }, { text: `  ${TYPE_LABELS[group.type] ?? group.type} group`, kind: 'fold' }]];
  const members = node.childNodes;
  const durations = members.filter((member) => member.durationMs !== null).map((member) => member.durationMs!).sort((a, b) => a - b);
  const failing = members.filter((member) => member.subtreeErrors > 0);
  lines.push(
    ...fact('count', String(group.count)),
    ...fact('wall time', formatDuration(node.durationMs)),
    ...fact('sum', formatDuration(group.totalDurationMs)),
    ...fact('each', durations.length ? `min ${formatDuration(durations[0]!)}  median ${formatDuration(durations[Math.floor(durations.length / 2)]!)}  max ${formatDuration(durations.at(-1)!)}` : null),
    ...fact('running', group.open ? String(group.open) : null),
    ...fact('cost', node.subtreeCost ? formatCost(node.subtreeCost) : null),
    ...fact('errors', node.subtreeErrors ? `${node.subtreeErrors} in ${failing.length} of them` : null, node.subtreeErrors ? 'error' : 'plain'),
    ...fact('below', node.descendants > group.count ? `${node.descendants - group.count} nested observations` : null),
  );
  lines.push([]);
  lines.push([label('→ or Enter opens the group; a ungroups every row')]);
  const firstFailing = failing[0];
  if (firstFailing) {
    lines.push([]);
    lines.push([{ text: 'First failing', kind: 'heading' }]);
    lines.push([{ text: `  ${sanitizeText(firstFailing.observation.name ?? firstFailing.id).slice(0, Math.max(8, width - 4))}`, kind: 'error' }]);
    if (firstFailing.observation.statusMessage) lines.push([plain(`  ${firstFailing.observation.statusMessage}`)]);
  }
  return lines;
}
