// `tracetop label --queue NAME|ID`: walks an annotation queue's PENDING items one by one —
// the item's trace, the queue's score configs (and only those), scores posted with the
// queue's id, the item marked COMPLETED, progress shown. Completed items are not offered
// again, so a second run resumes where the first stopped.
import React, { useEffect, useRef, useState } from 'react';
import { Box, Text, useApp, useInput, useWindowSize } from 'ink';
import type { AnnotationQueue, AnnotationQueueItem, Observation, ScoreConfig, TraceWithFullDetails } from '../domain/types.js';
import { turnText } from './screens/SessionsScreen.js';
import { formatTime } from './format.js';
import type { QueueClient, SessionReader, TraceReader } from '../ports/readers.js';
import type { ScoringService } from '../scoring/service.js';
import { newPanel, panelKey, type ScorePanel } from '../store/score-panel.js';
import { sanitizeLine } from '../domain/sanitize.js';
import { detailLines } from './detail-lines.js';
import { ScorePanelView, panelHeight } from './components/ScorePanel.js';
import { enableStyles, theme } from './theme.js';
import { splitKeystrokes } from './keystrokes.js';
import type { KeyPress } from '../ports/keys.js';

export interface LabelAppProps {
  queue: AnnotationQueue;
  configs: ScoreConfig[];
  items: AnnotationQueueItem[];
  total: number;
  completedBefore: number;
  client: QueueClient & TraceReader & SessionReader & { getObservation(id: string): Promise<Observation> };
  scoring: ScoringService;
}

export function LabelApp({ queue, configs, items, total, completedBefore, client, scoring }: LabelAppProps) {
  // Reverse video and bold mark the selection with or without colour (see theme.ts).
  enableStyles();
  const { exit } = useApp();
  const { columns, rows } = useWindowSize();
  const [index, setIndex] = useState(0);
  const [done, setDone] = useState(completedBefore);
  const [trace, setTrace] = useState<TraceWithFullDetails | null>(null);
  const [observation, setObservation] = useState<Observation | null>(null);
  const [sessionTraces, setSessionTraces] = useState<TraceWithFullDetails[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [panel, setPanelState] = useState<ScorePanel | null>(null);
  // The panel as the next keystroke sees it: keys typed faster than a frame ("3y", "0.8\r")
  // arrive as one chunk and are handled one by one before React renders again.
  const panelNow = useRef<ScorePanel | null>(null);
  const setPanel = (next: ScorePanel | null) => {
    panelNow.current = next;
    setPanelState(next);
  };
  const [given, setGiven] = useState<string[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [scroll, setScroll] = useState(0);
  const item = items[index];

  useEffect(() => {
    setTrace(null);
    setObservation(null);
    setSessionTraces(null);
    setError(null);
    setGiven([]);
    setScroll(0);
    if (!item) return;
    const failed = (reason: unknown) => setError((reason as Error).message);
    if (item.objectType === 'TRACE') {
      client.getTrace(item.objectId).then(setTrace, failed);
    } else if (item.objectType === 'OBSERVATION') {
      client
        .getObservation(item.objectId)
        .then(async (found) => {
          setObservation(found);
          if (found.traceId) setTrace(await client.getTrace(found.traceId));
        })
        .catch(failed);
    } else {
      client.getSessionTraces(item.objectId).then((traces) => setSessionTraces([...traces].sort((a, b) => a.timestamp.localeCompare(b.timestamp))), failed);
    }
  }, [item?.id]);

  /** What a score for this item is attached to. */
  const target = () =>
    item?.objectType === 'SESSION'
      ? { sessionId: item.objectId, queueId: queue.id }
      : item?.objectType === 'OBSERVATION'
        ? { traceId: observation?.traceId ?? trace?.id, observationId: item.objectId, queueId: queue.id }
        : { traceId: trace?.id ?? item?.objectId, queueId: queue.id };

  const openPanel = () => setPanel({ ...newPanel(trace?.name ?? item?.objectId ?? ''), configs });

  useInput((input, key) => {
    // A chunk of several keys is each of them in turn, none dropped (see keystrokes.ts).
    for (const keystroke of splitKeystrokes(input, key)) {
      if (handleKey(keystroke.input, keystroke.key) === 'exit') return;
    }
  });

  function handleKey(input: string, key: KeyPress): 'exit' | void {
    const panel = panelNow.current;
    if (panel) {
      const outcome = panelKey(panel, input, key);
      setPanel(outcome.panel);
      if (outcome.submit && item) {
        try {
          scoring.submit(target(), outcome.submit.name, outcome.submit.value, outcome.submit.comment);
          setGiven((previous) => [...previous, `${outcome.submit!.name}=${outcome.submit!.value}`]);
        } catch (reason) {
          setMessage(`not scored: ${(reason as Error).message}`);
        }
      }
      return;
    }
    if (input === 'q' || (key.ctrl && input === 'c')) {
      exit();
      return 'exit';
    }
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
  }

  const width = Math.max(20, columns);
  const remaining = Math.max(0, total - done);
  const header = sanitizeLine(`Queue ${queue.name} — ${done}/${total} done${item ? ` — item ${index + 1} of ${items.length}, ${remaining} pending` : remaining ? `, ${remaining} pending` : ''}`, width);
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
  const lines = sessionTraces
    ? sessionTraces.flatMap((turn) => [
        [{ text: `${formatTime(turn.timestamp)}  ${turn.name ?? turn.id}`, kind: 'fold' as const }],
        [{ text: `› ${turnText(turn.input)}`, kind: 'plain' as const }],
        [{ text: `‹ ${turnText(turn.output)}`, kind: 'plain' as const }],
      ])
    : trace
      ? detailLines(trace, observation, width, scroll + bodyHeight + 20)
      : [];
  return (
    <Box flexDirection="column" height={rows}>
      <Text bold color={theme.accent}>{header}</Text>
      <Text color={theme.muted}>{sanitizeLine(help, width)}</Text>
      <Box flexDirection="column" height={bodyHeight}>
        {error ? <Text color={theme.error}>{sanitizeLine(error, width)}</Text> : null}
        {!trace && !sessionTraces && !error ? <Text color={theme.muted}>loading {sanitizeLine(`${item.objectType.toLowerCase()} ${item.objectId}`, width - 10)}…</Text> : null}
        {lines.slice(scroll, scroll + bodyHeight).map((tokens, lineIndex) => (
          <Text key={lineIndex} wrap="truncate-end">
            {sanitizeLine(tokens.map((token) => token.text).join(''), width)}
          </Text>
        ))}
      </Box>
      {panel ? <ScorePanelView panel={panel} width={width} /> : null}
      <Text color={theme.accent}>{configLine}</Text>
      <Text color={theme.muted}>{sanitizeLine(message ?? ' ', width)}</Text>
    </Box>
  );
}
