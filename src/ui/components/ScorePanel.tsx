// The score panel: score configs to pick from (numbered, as Langfuse's annotation queue does),
// then the value in the way its type wants, then an optional comment.
import React from 'react';
import { Box, Text } from 'ink';
import { sanitizeLine } from '../../domain/sanitize.js';
import type { ScorePanel as Panel } from '../../store/score-panel.js';
import { useTui } from '../store-context.js';
import { theme } from '../theme.js';

function describe(config: NonNullable<Panel['config']>): string {
  switch (config.dataType) {
    case 'NUMERIC':
      return `number${config.minValue != null || config.maxValue != null ? ` ${config.minValue ?? '-∞'}…${config.maxValue ?? '∞'}` : ''}`;
    case 'BOOLEAN':
      return 'y / n';
    case 'CATEGORICAL':
      return (config.categories ?? []).map((category, index) => `${index + 1} ${category.label}`).join('  ');
    default:
      return 'text';
  }
}

export function panelHeight(panel: Panel | null): number {
  if (!panel) return 0;
  if (panel.step === 'pick') return Math.min(12, (panel.configs?.length ?? 0) + 4);
  return 4;
}

export function ScorePanel({ width }: { width: number }) {
  const panel = useTui((state) => state.scoring.panel);
  return panel ? <ScorePanelView panel={panel} width={width} /> : null;
}

export function ScorePanelView({ panel, width }: { panel: Panel; width: number }) {
  const line = (text: string) => sanitizeLine(text, width - 2);
  const rows: React.ReactNode[] = [];
  const title = panel.quick ? `Quick-label: pick a config (then each key scores a trace)` : `Score ${panel.targetLabel}`;
  rows.push(<Text key="title" bold color={theme.accent}>{line(title)}</Text>);
  if (panel.step === 'pick') {
    if (panel.configs === null) rows.push(<Text key="loading" color={theme.muted}>loading score configs…</Text>);
    if (panel.loadError) rows.push(<Text key="error" color={theme.error}>{line(`score configs: ${panel.loadError}`)}</Text>);
    (panel.configs ?? []).slice(0, 8).forEach((config, index) => {
      rows.push(
        <Text key={config.id} inverse={panel.index === index} wrap="truncate-end">
          {line(` ${index + 1}  ${config.name}  (${config.dataType.toLowerCase()}: ${describe(config)})`)}
        </Text>,
      );
    });
    rows.push(
      <Text key="free" inverse={panel.index === (panel.configs?.length ?? 0)}>
        {line(' f  free-form name')}
      </Text>,
    );
  } else if (panel.step === 'name') {
    rows.push(<Text key="prompt">name: {line(panel.input)}<Text inverse> </Text></Text>);
  } else if (panel.step === 'value') {
    const hint = panel.config ? describe(panel.config) : 'a number, true/false, or a category';
    rows.push(<Text key="hint" color={theme.muted}>{line(`${panel.name}: ${hint}`)}</Text>);
    if (!panel.config || panel.config.dataType === 'NUMERIC' || panel.config.dataType === 'TEXT') {
      rows.push(<Text key="input">value: {line(panel.input)}<Text inverse> </Text></Text>);
    }
  } else {
    rows.push(<Text key="chosen" color={theme.muted}>{line(`${panel.name} = ${panel.value}`)}</Text>);
    rows.push(<Text key="comment">comment (optional, Enter to save): {line(panel.input)}<Text inverse> </Text></Text>);
  }
  if (panel.error) rows.push(<Text key="err" color={theme.error}>{line(panel.error)}</Text>);
  return (
    <Box flexDirection="column" width={width} height={panelHeight(panel)}>
      {rows.slice(0, panelHeight(panel))}
    </Box>
  );
}
