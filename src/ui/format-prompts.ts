// Pure formatting for `:prompts`: the prompt list, a prompt's versions (labels in brackets,
// commit message, per-version metrics), a version's text with `{{variables}}` marked, and a
// line-aligned diff of two versions with the changed words inside changed lines marked (jsdiff
// diffArrays over lines, then diffWordsWithSpace within each changed pair, as Langfuse's own
// diff viewer and `git diff --word-diff` do). Chat prompts read as messages under their role;
// the config is a section of its own.

import { diffArrays, diffWordsWithSpace } from 'diff';
import type { ChatMessage, PromptOverview, PromptVersion, PromptVersionMetrics } from '../ports/prompts.js';
import { templateParts } from '../ports/prompts.js';
import { sanitizeText, stringWidth } from '../domain/sanitize.js';
import { formatCost, formatTokens } from './format.js';
import { formatWhen } from './format-datasets.js';
import { formatPercent, formatPercentile, scoreMeanColumn } from './format-top.js';
import type { ColumnSpec } from './table-layout.js';

/** `[production] [latest]`: labels in brackets read without colour. */
export const formatLabels = (labels: readonly string[]): string => labels.map((label) => `[${label}]`).join(' ');

export function promptColumns(): ColumnSpec<PromptOverview>[] {
  return [
    { id: 'name', header: 'PROMPT', min: 12, max: 36, priority: 1, flex: true, cell: (p) => p.name },
    { id: 'type', header: 'TYPE', min: 4, max: 4, priority: 4, cell: (p) => p.type },
    { id: 'versions', header: 'VERSIONS', min: 8, max: 9, priority: 2, align: 'right', cell: (p) => `${p.versions.length} (v${p.versions[p.versions.length - 1] ?? '?'})` },
    {
      id: 'labels',
      header: 'LABELS',
      min: 12,
      max: 40,
      priority: 3,
      cell: (p) =>
        Object.entries(p.labels)
          .sort(([a], [b]) => (a === 'production' ? -1 : b === 'production' ? 1 : a < b ? -1 : 1))
          .map(([label, version]) => `${label}:v${version}`)
          .join(' '),
    },
    { id: 'updated', header: 'CHANGED', min: 8, max: 16, priority: 5, cell: (p) => formatWhen(p.lastUpdatedAt) },
    { id: 'tags', header: 'TAGS', min: 6, max: 24, priority: 6, cell: (p) => p.tags.join(',') },
  ];
}

export interface VersionRowView {
  version: PromptVersion;
  metrics: PromptVersionMetrics | undefined;
  marked: boolean;
}

export function versionColumns(scoreNames: readonly string[], colours: { error?: string }): ColumnSpec<VersionRowView>[] {
  const number = (value: (metrics: PromptVersionMetrics) => string) => (row: VersionRowView) => (row.metrics ? value(row.metrics) : '');
  return [
    { id: 'mark', header: '', min: 1, max: 1, priority: 1, cell: (row) => (row.marked ? '*' : ' ') },
    { id: 'version', header: 'VER', min: 4, max: 5, priority: 1, cell: (row) => `v${row.version.version}` },
    { id: 'labels', header: 'LABELS', min: 10, max: 22, priority: 2, cell: (row) => formatLabels(row.version.labels) },
    { id: 'commit', header: 'COMMIT', min: 10, max: 30, priority: 3, cell: (row) => (row.version.commitMessage ? `"${row.version.commitMessage}"` : '') },
    { id: 'created', header: 'CREATED', min: 8, max: 16, priority: 11, cell: (row) => (row.version.createdAt ? formatWhen(row.version.createdAt) : '') },
    { id: 'count', header: 'GENS', min: 5, max: 7, priority: 3, align: 'right', cell: (row) => (row.metrics ? String(row.metrics.count) : '0') },
    { id: 'err', header: 'ERR%', min: 5, max: 6, priority: 4, align: 'right', cell: number((m) => formatPercent(m.errorRate)), color: (row) => (row.metrics?.errorCount ? colours.error : undefined) },
    { id: 'p50', header: 'P50', min: 7, max: 8, priority: 10, align: 'right', cell: number((m) => formatPercentile(m.latencyP50, m.count)) },
    { id: 'p95', header: 'P95', min: 7, max: 8, priority: 6, align: 'right', cell: number((m) => formatPercentile(m.latencyP95, m.count)) },
    { id: 'tokens', header: 'TOKENS', min: 6, max: 7, priority: 9, align: 'right', cell: number((m) => formatTokens(m.totalTokens)) },
    { id: 'cost', header: 'COST', min: 8, max: 9, priority: 8, align: 'right', cell: number((m) => formatCost(m.totalCost)) },
    ...scoreNames.map((name, index) => scoreMeanColumn<VersionRowView>(name, name, 12 + index, (row) => row.metrics?.scores[name])),
  ];
}

/** Every score name over the versions' metrics, sorted. */
export function metricScoreNames(metrics: readonly PromptVersionMetrics[]): string[] {
  return [...new Set(metrics.flatMap((m) => Object.keys(m.scores)))].sort();
}

/** A piece of a shown line: literal text, a `{{variable}}`, a role header, or a changed word. */
export interface Segment {
  text: string;
  kind: 'plain' | 'variable' | 'role' | 'heading';
  /** Inside a changed line: this part is what changed. */
  changed?: boolean;
}

export interface TextLine {
  segments: Segment[];
  /** Diff lines: removed, added, or the same in both. */
  diff?: '-' | '+' | ' ';
  /** A wrapped line's continuation. */
  continued?: boolean;
}

const isMessage = (message: ChatMessage): message is { role: string; content: string } => 'content' in message;

/** A version as document lines: the text, or each message under its role; then the config. */
export function documentLines(version: Pick<PromptVersion, 'prompt' | 'config'>): { text: string; kind: 'plain' | 'role' | 'heading' }[] {
  const lines: { text: string; kind: 'plain' | 'role' | 'heading' }[] = [];
  const clean = (text: string) => sanitizeText(text, { keepNewlines: true, expandTabs: true });
  if (typeof version.prompt === 'string') for (const line of clean(version.prompt).split('\n')) lines.push({ text: line, kind: 'plain' });
  else {
    for (const message of version.prompt) {
      if (!isMessage(message)) {
        lines.push({ text: `[placeholder ${clean(message.name)}]`, kind: 'role' });
        continue;
      }
      lines.push({ text: `${clean(message.role)}:`, kind: 'role' });
      for (const line of clean(message.content).split('\n')) lines.push({ text: `  ${line}`, kind: 'plain' });
    }
  }
  const config = version.config;
  if (config && typeof config === 'object' && Object.keys(config).length > 0) {
    lines.push({ text: '', kind: 'plain' }, { text: 'config:', kind: 'heading' });
    for (const line of clean(JSON.stringify(config, sortedKeys(config), 2)).split('\n')) lines.push({ text: `  ${line}`, kind: 'plain' });
  }
  return lines;
}

/** Keys sorted at every level, so two configs diff by content, not by key order. */
function sortedKeys(value: unknown): string[] {
  const keys = new Set<string>();
  const walk = (node: unknown) => {
    if (node && typeof node === 'object') for (const [key, child] of Object.entries(node)) keys.add(key), walk(child);
  };
  walk(value);
  return [...keys].sort();
}

/** A plain line's parts with `{{variables}}` marked. */
export function variableSegments(text: string, changed?: boolean): Segment[] {
  return templateParts(text).map((part) => ({ text: part.text, kind: part.variable ? 'variable' : 'plain', ...(changed === undefined ? {} : { changed }) }));
}

/** Splits segments into lines of at most `width` columns at spaces (a word wider than a line is split), continuation lines marked. */
export function wrapSegments(segments: readonly Segment[], width: number): Segment[][] {
  const limit = Math.max(4, width);
  const lines: Segment[][] = [];
  let line: Segment[] = [];
  let used = 0;
  const push = (segment: Segment) => {
    const last = line[line.length - 1];
    if (last && last.kind === segment.kind && last.changed === segment.changed) last.text += segment.text;
    else line.push({ ...segment });
    used += stringWidth(segment.text);
  };
  for (const segment of segments) {
    // Words with the spaces after them, so a wrapped line never starts with a space.
    for (const word of segment.text.match(/\S+\s*|\s+/g) ?? []) {
      let rest = word;
      while (rest) {
        const w = stringWidth(rest.trimEnd());
        if (used > 0 && used + w > limit) {
          lines.push(line);
          line = [];
          used = 0;
        }
        if (stringWidth(rest.trimEnd()) <= limit - used) {
          push({ ...segment, text: rest });
          rest = '';
        } else {
          const piece = [...rest].slice(0, Math.max(1, limit - used)).join('');
          push({ ...segment, text: piece });
          rest = rest.slice(piece.length);
          lines.push(line);
          line = [];
          used = 0;
        }
      }
    }
  }
  if (line.length || lines.length === 0) lines.push(line);
  return lines;
}

const toSegments = (line: { text: string; kind: 'plain' | 'role' | 'heading' }, changed?: boolean): Segment[] =>
  line.kind === 'plain' ? variableSegments(line.text, changed) : [{ text: line.text, kind: line.kind, ...(changed === undefined ? {} : { changed }) }];

function wrapLine(segments: Segment[], width: number, diff?: TextLine['diff']): TextLine[] {
  return wrapSegments(segments, width).map((line, index) => ({ segments: line, ...(diff ? { diff } : {}), ...(index > 0 ? { continued: true } : {}) }));
}

/** A version's text as shown: wrapped to `width`, variables marked. */
export function versionText(version: Pick<PromptVersion, 'prompt' | 'config'>, width: number): TextLine[] {
  return documentLines(version).flatMap((line) => wrapLine(toSegments(line), width));
}

/**
 * Word-level parts of a changed pair: what the old line kept and lost, what the new line kept
 * and gained. Null when the two lines share less than half their text: a rewritten line reads
 * better as one line out and one line in than as a confetti of marked words.
 */
function wordPair(before: string, after: string): { removed: Segment[]; added: Segment[] } | null {
  const changes = diffWordsWithSpace(before, after);
  const kept = changes.filter((change) => !change.added && !change.removed).reduce((sum, change) => sum + change.value.trim().length, 0);
  if (kept * 2 < Math.max(before.trim().length, after.trim().length)) return null;
  const removed: Segment[] = [];
  const added: Segment[] = [];
  for (const change of changes) {
    if (!change.added) removed.push(...variableSegments(change.value, change.removed));
    if (!change.removed) added.push(...variableSegments(change.value, change.added));
  }
  return { removed, added };
}

/** The diff of `before` → `after`, line-aligned, changed words marked inside changed lines; wrapped to `width` (2 columns go to the `-`/`+` mark). */
export function versionDiff(before: Pick<PromptVersion, 'prompt' | 'config'>, after: Pick<PromptVersion, 'prompt' | 'config'>, width: number): TextLine[] {
  const a = documentLines(before);
  const b = documentLines(after);
  const key = (line: { text: string; kind: string }) => `${line.kind}\u0000${line.text}`;
  const changes = diffArrays(a.map(key), b.map(key));
  const out: TextLine[] = [];
  const room = width - 2;
  let ai = 0;
  let bi = 0;
  for (let index = 0; index < changes.length; index++) {
    const change = changes[index]!;
    if (!change.added && !change.removed) {
      for (let k = 0; k < change.count; k++) out.push(...wrapLine(toSegments(b[bi + k]!), room, ' '));
      ai += change.count;
      bi += change.count;
      continue;
    }
    if (change.removed) {
      const next = changes[index + 1];
      const removedLines = a.slice(ai, ai + change.count);
      ai += change.count;
      if (next?.added) {
        // A changed block: pair its lines up and mark the words that changed inside each pair.
        const addedLines = b.slice(bi, bi + next.count);
        bi += next.count;
        index++;
        const pairs = Math.min(removedLines.length, addedLines.length);
        const removedOut: TextLine[] = [];
        const addedOut: TextLine[] = [];
        for (let k = 0; k < Math.max(removedLines.length, addedLines.length); k++) {
          const r = removedLines[k];
          const d = addedLines[k];
          const words = k < pairs && r && d && r.kind === 'plain' && d.kind === 'plain' ? wordPair(r.text, d.text) : null;
          if (words) {
            removedOut.push(...wrapLine(words.removed, room, '-'));
            addedOut.push(...wrapLine(words.added, room, '+'));
          } else {
            if (r) removedOut.push(...wrapLine(toSegments(r, true), room, '-'));
            if (d) addedOut.push(...wrapLine(toSegments(d, true), room, '+'));
          }
        }
        out.push(...removedOut, ...addedOut);
      } else {
        for (const line of removedLines) out.push(...wrapLine(toSegments(line, true), room, '-'));
      }
      continue;
    }
    for (const line of b.slice(bi, bi + change.count)) out.push(...wrapLine(toSegments(line, true), room, '+'));
    bi += change.count;
  }
  return out;
}

/** A diff line without colour: `- ` / `+ ` in front, and `[-old-]` / `{+new+}` around changed words. */
export function plainDiffLine(line: TextLine): string {
  const mark = line.diff ? `${line.diff} ` : '';
  const body = line.segments
    .map((segment) => {
      if (!segment.changed || !line.diff || line.diff === ' ') return segment.text;
      // A whole line added or removed needs no word marks: its `+`/`-` says it.
      const whole = line.segments.every((other) => other.changed);
      if (whole) return segment.text;
      return line.diff === '-' ? `[-${segment.text}-]` : `{+${segment.text}+}`;
    })
    .join('');
  return `${mark}${body}`;
}

export interface VersionHeader {
  title: string;
  commits: string[];
}

/** `support-agent v2 -> v3` with both commit messages; or `support-agent v3 [production]`. */
export function versionHeader(name: string, version: PromptVersion, against: PromptVersion | null): VersionHeader {
  const commit = (v: PromptVersion) => `v${v.version}: ${v.commitMessage ? `"${v.commitMessage}"` : '(no commit message)'}${v.labels.length ? ` ${formatLabels(v.labels)}` : ''}`;
  if (!against) return { title: `${name} v${version.version} (${version.type})${version.labels.length ? ` ${formatLabels(version.labels)}` : ''}`, commits: version.commitMessage ? [`"${version.commitMessage}"`] : [] };
  return { title: `${name} v${against.version} -> v${version.version}`, commits: [commit(against), commit(version)] };
}
