// `tracetop label --queue NAME|ID`: walks an annotation queue's PENDING items one by one —
// the item's trace, the queue's score configs (and only those), scores posted with the
// queue's id, the item marked COMPLETED, progress shown. Completed items are not offered
// again, so a second run resumes where the first stopped.
import React, { useEffect, useState } from 'react';
import { Box, Text, useApp, useInput, useWindowSize } from 'ink';
import type { AnnotationQueue, AnnotationQueueItem, ScoreConfig, TraceWithFullDetails } from '../domain/types.js';
import type { QueueClient, TraceReader } from '../api/types.js';
import type { ScoringService } from '../scoring/service.js';
import { newPanel, panelKey, type ScorePanel } from '../store/score-panel.js';
import { sanitizeLine } from '../domain/sanitize.js';
import { detailLines } from './detail-lines.js';
import { ScorePanelView, panelHeight } from './components/ScorePanel.js';
import { theme } from './theme.js';

export interface LabelAppProps {
  queue: AnnotationQueue;
  configs: ScoreConfig[];
  items: AnnotationQueueItem[];
  total: number;
  completedBefore: number;
  client: QueueClient & TraceReader;
  scoring: ScoringService;
}

export function LabelApp({ queue, configs, items, total, completedBefore, client, scoring }: LabelAppProps) {
  const { exit } = useApp();
  const { columns, rows } = useWindowSize();
  const [index, setIndex] = useState(0);
  const [done, setDone] = useState(completedBefore);
  const [trace, setTrace] = useState<TraceWithFullDetails | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [panel, setPanel] = useState<ScorePanel | null>(null);
  const [given, setGiven] = useState<string[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [scroll, setScroll] = useState(0);
  const item = items[index];

  useEffect(() => {
    setTrace(null);
    setError(null);
    setGiven([]);
    setScroll(0);
    if (!item) return;
    if (item.objectType !== 'TRACE') {
      setError(`${item.objectType.toLowerCase()} ${item.objectId}: only trace items are shown here; score or skip it`);
      return;
    }
    client.getTrace(item.objectId).then(setTrace, (reason: unknown) => setError((reason as Error).message));
  }, [item?.id]);

  const openPanel = () => setPanel({ ...newPanel(trace?.name ?? item?.objectId ?? ''), configs });

  useInput((input, key) => {
    if (panel) {
      const outcome = panelKey(panel, input, key);
      setPanel(outcome.panel);
      if (outcome.submit && item) {
        try {
          scoring.submit({ traceId: trace?.id ?? item.objectId, queueId: queue.id }, outcome.submit.name, outcome.submit.value, outcome.submit.comment);
          setGiven((previous) => [...previous, `${outcome.submit!.name}=${outcome.submit!.value}`]);
        } catch (reason) {
          setMessage(`not scored: ${(reason as Error).message}`);
        }
      }
      return;
    }
    if (input === 'q' || (key.ctrl && input === 'c')) return exit();
    if (!item) return;
    if (/^[1-9]$/.test(input) && Number(input) <= configs.length) {
      // A digit goes straight to that config's value, as in Langfuse's annotation queue.
      const outcome = panelKey({ ...newPanel(trace?.name ?? item.objectId), configs }, input, {});
      return setPanel(outcome.panel);
    }
    if (input === 's') return openPanel();
    if (key.return || input === 'c') {
      client.completeQueueItem(queue.id, item.id).then(
        () => {
          setDone((count) => count + 1);
          setMessage(`completed ${item.objectId}`);
          setIndex((current) => current + 1);
        },
        (reason: unknown) => setMessage(`not completed: ${(reason as Error).message}`),
      );
      return;
    }
    if (key.rightArrow || input === 'n') return setIndex((current) => Math.min(items.length, current + 1));
    if (key.leftArrow || input === 'p') return setIndex((current) => Math.max(0, current - 1));
    if (key.downArrow || input === 'j') return setScroll((current) => current + 1);
    if (key.upArrow || input === 'k') return setScroll((current) => Math.max(0, current - 1));
  });

  const width = Math.max(20, columns);
  const header = sanitizeLine(`Queue ${queue.name} — ${done}/${total} done — item ${Math.min(index + 1, items.length)} of ${items.length} pending`, width);
  const help = '1–9 score with a config · s score · Enter/c complete & next · n/→ skip · p/← back · j/k scroll · q quit';
  const panelRows = panel ? panelHeight(panel) : 0;
  const configLine = sanitizeLine(`configs: ${configs.map((config, i) => `${i + 1} ${config.name}`).join('  ')}${given.length ? `   given: ${given.join(', ')}` : ''}`, width);
  const bodyHeight = Math.max(1, rows - 4 - panelRows - 1);
  if (!item) {
    return (
      <Box flexDirection="column">
        <Text bold color={theme.accent}>{header}</Text>
        <Text color={theme.ok}>Nothing pending in this queue. q to quit.</Text>
      </Box>
    );
  }
  const lines = trace ? detailLines(trace, null, width, scroll + bodyHeight + 20) : [];
  return (
    <Box flexDirection="column" height={rows}>
      <Text bold color={theme.accent}>{header}</Text>
      <Text color={theme.muted}>{sanitizeLine(help, width)}</Text>
      <Box flexDirection="column" height={bodyHeight}>
        {error ? <Text color={theme.error}>{sanitizeLine(error, width)}</Text> : null}
        {!trace && !error ? <Text color={theme.muted}>loading {sanitizeLine(item.objectId, width - 10)}…</Text> : null}
        {lines.slice(scroll, scroll + bodyHeight).map((tokens, lineIndex) => (
          <Text key={lineIndex} wrap="truncate-end">
            {tokens.map((token) => token.text).join('')}
          </Text>
        ))}
      </Box>
      {panel ? <ScorePanelView panel={panel} width={width} /> : null}
      <Text color={theme.accent}>{configLine}</Text>
      <Text color={theme.muted}>{sanitizeLine(message ?? ' ', width)}</Text>
    </Box>
  );
}
