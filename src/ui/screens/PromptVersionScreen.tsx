// One version's text (chat prompts as messages under their role, `{{variables}}` marked, the
// config apart), or its diff against the previous (or marked) version: line-aligned, the
// changed words marked inside changed lines. Without colour the diff reads as
// `- `/`+ ` lines with `[-old-]{+new+}` words.
import React, { useMemo } from 'react';
import { Box, Text } from 'ink';
import { sanitizeLine } from '../../domain/sanitize.js';
import { plainDiffLine, versionDiff, versionHeader, versionText, type Segment, type TextLine } from '../format-prompts.js';
import { useTui } from '../store-context.js';
import { display, theme } from '../theme.js';

function segmentColour(segment: Segment, line: TextLine): string | undefined {
  if (segment.kind === 'variable') return theme.variable;
  if (line.diff === '-') return theme.removed;
  if (line.diff === '+') return theme.added;
  if (segment.kind === 'role' || segment.kind === 'heading') return theme.accent;
  return undefined;
}

function Line({ line, width }: { line: TextLine; width: number }) {
  if (line.diff && !display.colour) return <Text wrap="truncate-end">{sanitizeLine(plainDiffLine(line), width, '~')}</Text>;
  const mark = line.diff ? `${line.diff} ` : '';
  const whole = line.segments.every((segment) => segment.changed);
  return (
    <Text wrap="truncate-end">
      {mark ? <Text color={line.diff === '-' ? theme.removed : line.diff === '+' ? theme.added : theme.muted}>{mark}</Text> : null}
      {line.segments.map((segment, index) => (
        <Text key={index} color={segmentColour(segment, line)} bold={segment.kind === 'role' || segment.kind === 'heading'} inverse={Boolean(segment.changed && line.diff !== ' ' && !whole)} underline={segment.kind === 'variable' && !display.colour}>
          {segment.text}
        </Text>
      ))}
    </Text>
  );
}

export function PromptVersionScreen({ width, height }: { width: number; height: number }) {
  const name = useTui((state) => state.prompts.name);
  const view = useTui((state) => state.prompts.view);
  const versions = useTui((state) => state.prompts.versions.data);
  const redact = useTui((state) => state.redact);
  const version = versions?.find((candidate) => candidate.version === view?.version) ?? null;
  const against = view?.against !== null && view?.against !== undefined ? (versions?.find((candidate) => candidate.version === view.against) ?? null) : null;
  const lines = useMemo(() => {
    if (!version) return [];
    const room = Math.max(10, width - 1);
    return against ? versionDiff(against, version, room) : versionText(version, room);
  }, [version, against, width]);
  if (!version || !view) return <Text color={theme.muted}>no version selected</Text>;
  const header = versionHeader(name ?? version.name, version, against);
  const headerLines = [header.title, ...header.commits];
  const room = Math.max(1, height - headerLines.length - 1);
  const scroll = Math.min(view.scroll, Math.max(0, lines.length - room));
  const changed = against ? lines.filter((line) => line.diff === '-' || line.diff === '+').length : 0;
  const footer = `${against ? `${changed} changed line${changed === 1 ? '' : 's'} | ` : ''}lines ${lines.length ? scroll + 1 : 0}-${Math.min(lines.length, scroll + room)} of ${lines.length} | d:${against ? 'text' : 'diff'} t:traces j/k:scroll Esc:back`;
  return (
    <Box flexDirection="column" height={height}>
      {headerLines.map((line, index) => (
        <Text key={index} bold={index === 0} color={index === 0 ? theme.accent : theme.muted} wrap="truncate-end">
          {sanitizeLine(line, width - 1, '~')}
        </Text>
      ))}
      {redact ? (
        <Text color={theme.muted}>  redacted (R shows it)</Text>
      ) : (
        lines.slice(scroll, scroll + room).map((line, index) => <Line key={scroll + index} line={line} width={width - 1} />)
      )}
      <Box flexGrow={1} />
      <Text color={theme.muted} wrap="truncate-end">
        {sanitizeLine(footer, width - 1, '~')}
      </Text>
    </Box>
  );
}
