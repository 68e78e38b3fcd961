// The detail pane's content for the selected observation (or the trace itself) as tokenised
// lines: headline facts first, then input, output and metadata as pretty JSON. Pure, so the
// pane only windows it and `tracetop get` can reuse it.

import type { Observation, Score, TraceWithFullDetails } from '../domain/types.js';
import { formatJson, type JsonLine, type TokenKind } from '../domain/json-view.js';
import { sanitizeText, stringWidth } from '../domain/sanitize.js';
import { formatDuration, TYPE_LABELS, type TreeNode } from '../domain/trace-tree.js';
import { formatCost, formatScoreValue } from './format.js';
import { redactJson, redactId, redactText } from '../domain/redact.js';

export type DetailToken = { text: string; kind: TokenKind | 'label' | 'heading' | 'error' | 'warning' | 'plain' };
export type DetailLine = DetailToken[];

const plain = (text: string): DetailToken => ({ text: sanitizeText(text), kind: 'plain' });
const label = (text: string): DetailToken => ({ text, kind: 'label' });

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Splits a word wider than `width` into pieces that fit (between graphemes). */
function hardSplit(word: string, width: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let pieceWidth = 0;
  for (const { segment } of graphemes.segment(word)) {
    const w = stringWidth(segment);
    if (pieceWidth + w > width && piece) {
      pieces.push(piece);
      piece = '';
      pieceWidth = 0;
    }
    piece += segment;
    pieceWidth += w;
  }
  if (piece) pieces.push(piece);
  return pieces;
}

/**
 * Text wrapped to `width` columns at spaces where it can, a word wider than a line split
 * between graphemes: every character shows, none is cut off. Newlines end lines.
 */
export function wrapWords(text: string, width: number): string[] {
  const limit = Math.max(1, width);
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    // Words and the runs of spaces between them (kept as they are within a line, dropped where
    // the line breaks).
    let line = '';
    let lineWidth = 0;
    let gap = '';
    for (const part of paragraph.split(/( +)/)) {
      if (part === '') continue;
      if (part[0] === ' ') {
        gap = part;
        continue;
      }
      const wordWidth = stringWidth(part);
      if (lineWidth > 0 && lineWidth + gap.length + wordWidth <= limit) {
        line += gap + part;
        lineWidth += gap.length + wordWidth;
        gap = '';
        continue;
      }
      if (lineWidth > 0) lines.push(line);
      gap = '';
      if (wordWidth <= limit) {
        line = part;
        lineWidth = wordWidth;
        continue;
      }
      const pieces = hardSplit(part, limit);
      lines.push(...pieces.slice(0, -1));
      line = pieces.at(-1) ?? '';
      lineWidth = stringWidth(line);
    }
    lines.push(line);
  }
  return lines;
}

/** The width of a fact's name column (`status     `). */
const FACT_LABEL = 12;

/** A fact: its name, then its value wrapped in full under the value column (never cut). */
function fact(name: string, value: string | null | undefined, kind: DetailToken['kind'] = 'plain', width = Number.POSITIVE_INFINITY): DetailLine[] {
  if (value === null || value === undefined || value === '') return [];
  const text = sanitizeText(value);
  const room = width - FACT_LABEL;
  if (!Number.isFinite(room) || stringWidth(text) <= room) return [[label(`${name.padEnd(FACT_LABEL - 1)} `), { text, kind }]];
  return wrapWords(text, Math.max(8, room)).map((line, index) => [label(index === 0 ? `${name.padEnd(FACT_LABEL - 1)} ` : ' '.repeat(FACT_LABEL)), { text: line, kind }]);
}

/**
 * A URL on a line of its own, whole: wrapped between characters where it is wider than the
 * pane, never cut (a cut link is a dead link).
 */
function urlFact(name: string, url: string | null, width: number): DetailLine[] {
  if (!url) return [];
  const text = sanitizeText(url);
  const room = Math.max(8, Number.isFinite(width) ? width - 2 : stringWidth(text));
  return [[label(name)], ...hardSplit(text, room).map((piece): DetailLine => [plain('  '), { text: piece, kind: 'plain' }])];
}

function section(title: string, value: unknown, width: number, maxLines: number): DetailLine[] {
  if (value === null || value === undefined || (typeof value === 'object' && value !== null && Object.keys(value).length === 0)) return [];
  const lines: DetailLine[] = [[{ text: title, kind: 'heading' }]];
  lines.push(...(formatJson(value, { width: Math.max(8, width - 2), maxLines }).map((line: JsonLine) => [{ text: '  ', kind: 'plain' as const }, ...line])));
  lines.push([]);
  return lines;
}

/** A boolean score as the list and the status bar show it: true or false. */
export function booleanText(value: unknown, stringValue?: string | null): string {
  if (value === 1 || value === true) return 'true';
  if (value === 0 || value === false) return 'false';
  const text = String(stringValue ?? value).toLowerCase();
  return text === '1' ? 'true' : text === '0' ? 'false' : text;
}

function scoreLines(scores: Score[], redact = false): DetailLine[] {
  if (scores.length === 0) return [];
  const lines: DetailLine[] = [[{ text: 'Scores', kind: 'heading' }]];
  for (const score of scores) {
    // A boolean reads true/false everywhere (Langfuse stores 1/0 with "True"/"False").
    const value = score.dataType === 'NUMERIC' ? formatScoreValue(score.value ?? 0) : score.dataType === 'BOOLEAN' ? booleanText(score.value, score.stringValue) : (score.stringValue ?? String(score.value));
    const line: DetailLine = [plain(`  ${score.name} `), { text: sanitizeText(value), kind: 'number' }, { text: ` (${score.source.toLowerCase()})`, kind: 'fold' }];
    if (score.comment) line.push(plain(` — ${redact ? '‹redacted›' : score.comment}`));
    lines.push(line);
  }
  lines.push([]);
  return lines;
}

const seconds = (value: number | null | undefined) => (value === null || value === undefined ? null : formatDuration(value * 1000));

export interface DetailOptions {
  redact?: boolean;
  /** The Langfuse web UI's base URL: the trace's page there is shown (never for a backend without one). */
  webBase?: string | null;
}

export function detailLines(trace: TraceWithFullDetails, observation: Observation | null, width: number, maxLines = 2_000, options: DetailOptions = {}): DetailLine[] {
  const lines: DetailLine[] = [];
  const payload = (value: unknown) => (options.redact ? redactJson(value) : value);
  const id = (value: string | null) => (options.redact ? redactId(value) : value);
  // Text that stays visible under redaction (names, tags, status messages): PII masked.
  const visible = <T extends string | null | undefined>(value: T): T => (options.redact ? redactText(value) : value);
  if (!observation) {
    lines.push([{ text: sanitizeText(visible(trace.name) ?? '(unnamed trace)'), kind: 'heading' }, { text: `  trace ${sanitizeText(trace.id)}`, kind: 'fold' }]);
    lines.push(
      ...fact('user', id(trace.userId), 'plain', width),
      ...fact('session', id(trace.sessionId), 'plain', width),
      ...fact('tags', visible(trace.tags.join(', ')), 'plain', width),
      ...fact('environment', trace.environment, 'plain', width),
      ...fact('release', trace.release, 'plain', width),
      ...fact('version', trace.version, 'plain', width),
      ...fact('timestamp', trace.timestamp),
      ...fact('latency', seconds(trace.latency)),
      ...fact('cost', formatCost(trace.totalCost)),
      ...fact('spans', String(trace.observations.length)),
      ...urlFact('link (Langfuse)', options.webBase && trace.htmlPath ? `${options.webBase.replace(/\/+$/, '')}${trace.htmlPath}` : null, width),
    );
    lines.push([]);
    lines.push(...scoreLines(trace.scores.filter((score) => !score.observationId), options.redact));
    lines.push(...section('Input', payload(trace.input), width, maxLines), ...section('Output', payload(trace.output), width, maxLines), ...section('Metadata', payload(trace.metadata), width, maxLines));
    return lines;
  }
  const o = observation;
  const levelKind = o.level === 'ERROR' ? 'error' : o.level === 'WARNING' ? 'warning' : 'plain';
  lines.push([{ text: sanitizeText(visible(o.name) ?? '(unnamed)'), kind: 'heading' }, { text: `  ${TYPE_LABELS[o.type] ?? o.type} ${sanitizeText(o.id)}`, kind: 'fold' }]);
  const usage = Object.entries(o.usageDetails ?? {}).map(([key, value]) => `${key} ${value}`).join('  ');
  const start = Date.parse(o.startTime);
  const end = o.endTime ? Date.parse(o.endTime) : null;
  lines.push(
    ...fact('level', o.level === 'DEFAULT' ? null : o.level, levelKind),
    ...fact('status', visible(o.statusMessage), levelKind, width),
    ...fact('model', o.model, 'plain', width),
    ...fact('parameters', o.modelParameters && Object.keys(o.modelParameters as object).length ? JSON.stringify(o.modelParameters) : null, 'plain', width),
    ...fact('prompt', o.promptName ? `${o.promptName}@${o.promptVersion ?? '?'}` : null, 'plain', width),
    ...fact('usage', usage, 'plain', width),
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
    ...fact('below', node.descendants > group.count ? `${node.descendants - group.count} nested observation${node.descendants - group.count === 1 ? '' : 's'}` : null),
  );
  lines.push([]);
  lines.push([label('→ or Enter opens the group; a ungroups every row')]);
  const firstFailing = failing[0];
  if (firstFailing) {
    lines.push([]);
    lines.push([{ text: 'First failing', kind: 'heading' }]);
    lines.push([{ text: `  ${sanitizeText(firstFailing.observation.name ?? firstFailing.id).slice(0, Math.max(8, width - 4))}`, kind: 'error' }]);
    if (firstFailing.observation.statusMessage) for (const line of wrapWords(sanitizeText(firstFailing.observation.statusMessage), Math.max(8, width - 2))) lines.push([plain(`  ${line}`)]);
  }
  return lines;
}
