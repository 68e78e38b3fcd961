// The root component: sizes every screen to the terminal (a frame taller than the terminal
// makes Ink clear the whole screen), routes keys through the keymap to store actions.
import React, { useEffect, useRef } from 'react';
import { Box, useApp, useInput, useWindowSize } from 'ink';
import type { StoreApi } from 'zustand/vanilla';
import { treeRows, visibleIds, type TuiState } from '../store/store.js';
import { copyToClipboard } from './clipboard.js';
import { commandFor, type Command, type KeyPress } from './keymap.js';
import { splitKeystrokes, type Keystroke } from './keystrokes.js';
import { StoreContext, useTui } from './store-context.js';
import { ListScreen } from './screens/ListScreen.js';
import { TraceScreen } from './screens/TraceScreen.js';
import { HelpScreen, helpLineCount, helpPageHeight } from './screens/HelpScreen.js';
import { SessionScreen, SessionsScreen } from './screens/SessionsScreen.js';
import { StatusBar } from './components/StatusBar.js';
import { MessageLine, currentMessage, messageLines } from './components/MessageLine.js';
import { QueryLine, queryLineRows } from './components/QueryLine.js';
import { ScorePanel, panelHeight } from './components/ScorePanel.js';
import { CommandLine, commandLineKey } from './components/CommandLine.js';
import { SliceScreenView, isSliceScreen, movement, runSliceCommand, sliceWaiting } from './screens/slice-screens.js';
import { TopSummaryLine, summaryRows } from './screens/TopSummaryLine.js';

/** Whether the screen on top is still loading what keys act on: keys typed now wait for it. */
function waitingFor(state: TuiState): boolean {
  const screen = state.screens.at(-1);
  const panel = state.scoring.panel;
  if (panel?.step === 'pick' && panel.configs === null && !panel.loadError) return true;
  if (screen === 'trace' && state.open?.state === 'loading') return true;
  if (screen === 'session' && state.sessions.conversation?.state === 'loading') return true;
  if (sliceWaiting(state)) return true;
  return false;
}

function run(store: StoreApi<TuiState>, command: Command, bodyHeight: number, width: number, exit: () => void) {
  const state = store.getState();
  const { actions } = state;
  const screen = state.screens.at(-1) ?? 'list';
  const page = Math.max(1, bodyHeight - 2);
  if (command === 'quit') return exit();
  if (command === 'help') return actions.showHelp();
  if (command === 'back') return actions.back();
  if (command === 'filter.open') return actions.openQuery();
  if (command === 'sessions') return actions.showSessions();
  if (command === 'redact') return actions.toggleRedact();
  if (command === 'command.open') return actions.openCommandLine();
  if (command === 'copy') {
    const node = screen === 'trace' ? treeRows(state)[state.treeCursor] : undefined;
    if (node?.group) return actions.setMessage(`a group of ${node.group.count}: open it (→) and copy one of them`);
    const id = screen === 'trace' ? (node ? node.id : state.open?.id) : visibleIds(state).at(state.cursor);
    if (!id) return;
    const what = screen === 'trace' && node ? 'observation' : 'trace';
    return actions.setMessage(copyToClipboard(id) ? `copied ${what} id ${id}` : 'too long to copy');
  }
  if (command === 'score') return actions.openScorePanel(false);
  if (command === 'score.quick') return actions.openScorePanel(true);
  if (command === 'score.undo') return actions.undoScore();
  const delta = movement(command, page);
  if (screen === 'help') {
    const total = helpLineCount(width);
    const height = helpPageHeight(bodyHeight);
    if (delta !== null) return actions.scrollHelp(delta, height, total);
    if (command === 'cursor.top') return actions.scrollHelp(-Infinity, height, total);
    if (command === 'cursor.bottom') return actions.scrollHelp(Infinity, height, total);
    return;
  }
  if (isSliceScreen(screen)) return runSliceCommand(store, screen, command, bodyHeight);
  if (screen === 'sessions' || screen === 'session') {
    const move = screen === 'sessions' ? actions.moveSessionCursor : actions.moveTurnCursor;
    if (delta !== null) return move(delta);
    if (command === 'cursor.top') return move(-Infinity);
    if (command === 'cursor.bottom') return move(Infinity);
    if (command === 'open') return screen === 'sessions' ? actions.openSession() : actions.openTurn();
    return;
  }
  if (command === 'filter.user' || command === 'filter.session' || command === 'filter.tag') {
    const trace = screen === 'trace' ? state.open?.trace : state.traces.get(visibleIds(state).at(state.cursor) ?? '');
    if (!trace) return;
    const quote = (value: string) => (/^[^\s"\\]+$/.test(value) ? value : `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`);
    const value = command === 'filter.user' ? trace.userId : command === 'filter.session' ? trace.sessionId : trace.tags[0];
    if (!value) return actions.setMessage(`this trace has no ${command.slice(7)}`);
    const key = command === 'filter.user' ? 'user' : command === 'filter.session' ? 'session' : 'tag';
    if (screen === 'trace') actions.back();
    return actions.addToFilter(`${key}:${quote(value)}`);
  }
  if (screen === 'list') {
    if (delta !== null) return actions.moveCursor(delta, bodyHeight - 1 - summaryRows(bodyHeight, width));
    switch (command) {
      case 'cursor.top': return actions.jumpTop();
      case 'cursor.bottom': return actions.jumpBottom(bodyHeight - 1 - summaryRows(bodyHeight, width));
      case 'follow.toggle': return actions.toggleFollow();
      case 'open': return actions.openSelected();
      default: return;
    }
  }
  if (screen === 'trace') {
    const treeHeight = bodyHeight - 1;
    const inDetail = state.focus === 'detail';
    if (delta !== null) return inDetail ? actions.scrollDetail(delta) : actions.moveTreeCursor(delta, treeHeight);
    switch (command) {
      case 'cursor.top': return inDetail ? actions.scrollDetail(-Number.MAX_SAFE_INTEGER) : actions.jumpTree('top', treeHeight);
      case 'cursor.bottom': return inDetail ? undefined : actions.jumpTree('bottom', treeHeight);
      case 'open': return actions.toggleNode();
      case 'node.collapse': return actions.setNodeExpanded(false);
      case 'node.expand': return actions.setNodeExpanded(true);
      case 'tree.expandAll': return actions.expandAll();
      case 'tree.collapseAll': return actions.collapseAll();
      case 'focus.toggle': return actions.toggleFocus();
      case 'span.search': return actions.openSpanSearch();
      case 'span.next': return actions.jumpToMatch(1, treeHeight);
      case 'span.previous': return actions.jumpToMatch(-1, treeHeight);
      case 'tree.errors': return actions.toggleOnly('errors');
      case 'tree.slow': return actions.toggleOnly('slow');
      case 'tree.matches': return actions.toggleOnly('matches');
      case 'tree.autogroup': return actions.toggleAutogroup();
      case 'tree.zoom': return actions.toggleZoom();
      case 'tree.deeper': return actions.expandLevel(1);
      case 'tree.shallower': return actions.expandLevel(-1);
      case 'tree.critical': return actions.toggleCriticalPath();
      default: return;
    }
  }
}

function Screens({ store, onQuit }: { store: StoreApi<TuiState>; onQuit?: () => void }) {
  const { columns, rows } = useWindowSize();
  const { exit } = useApp();
  const screen = useTui((state) => state.screens.at(-1) ?? 'list');
  const width = Math.max(20, columns);
  // The status bar, and under the screen whatever is open (query line, command line, score
  // panel, the last message); the rest is the screen. Never taller than the terminal.
  const query = useTui((state) => state.queryLine.open);
  const querying = query !== null;
  const queryRows = queryLineRows(query, width);
  const commanding = useTui((state) => state.commandLine !== null);
  const panel = useTui((state) => state.scoring.panel);
  const panelRows = panelHeight(panel);
  // The last action's message, in full on its own lines above the status bar.
  const message = useTui(currentMessage);
  const messageRows = messageLines(message, width);
  const bodyHeight = Math.max(2, rows - 1 - queryRows - (commanding ? 1 : 0) - panelRows - messageRows.length);
  // One keystroke, routed to whatever has the keyboard now: the span search, the score panel,
  // quick-label, the query line, or the screen's key table.
  const handleKey = (input: string, key: KeyPress & { meta?: boolean }) => {
    const { actions, spanSearch } = store.getState();
    const query = store.getState().queryLine.open;
    const { panel: scorePanel, quickLabel } = store.getState().scoring;
    if (spanSearch?.editing) {
      if (key.escape) return actions.closeSpanSearch(false);
      if (key.return) {
        actions.closeSpanSearch(true);
        return actions.jumpToMatch(1, bodyHeight - 2);
      }
      if (key.backspace || key.delete) return actions.editSpanSearch(spanSearch.text.slice(0, -1));
      if (key.tab) return actions.toggleSearchPayloads();
      if (key.ctrl && input === 'u') return actions.editSpanSearch('');
      if (input && !key.ctrl && !key.meta) actions.editSpanSearch(spanSearch.text + input);
      return;
    }
    if (spanSearch && key.escape && store.getState().screens.at(-1) === 'trace') return actions.closeSpanSearch(false);
    if (scorePanel) return actions.scorePanelKey(input, key);
    if (quickLabel && store.getState().screens.at(-1) === 'list') {
      if (key.escape) return actions.exitQuickLabel();
      if (actions.quickLabelKey(input, bodyHeight - 1 - summaryRows(bodyHeight, width))) return;
    }
    if (store.getState().commandLine) {
      // The `:` command line takes every key while it is open.
      if (commandLineKey(store.getState(), input, key) === 'quit') {
        onQuit?.();
        exit();
      }
      return;
    }
    if (query) {
      // The query line takes every key while it is open.
      if (key.escape) return actions.cancelQuery();
      if (key.return) return actions.applyQuery();
      if (key.upArrow) return actions.browseHistory(-1);
      if (key.downArrow) return actions.browseHistory(1);
      if (key.backspace || key.delete) return actions.editQuery(query.text.slice(0, -1));
      if (key.ctrl && input === 'u') return actions.editQuery('');
      if (input && !key.ctrl && !key.meta) return actions.editQuery(query.text + input.replace(/[\r\n\t]/g, ' '));
      return;
    }
    const command = commandFor(input, key, store.getState().screens.at(-1) ?? 'list');
    if (!command) return;
    run(store, command, bodyHeight, width, () => {
      onQuit?.();
      exit();
    });
  };
  // Keys typed while a screen is still loading what they act on (a trace, a session, the
  // score configs) wait for it instead of acting on an empty screen; Esc goes at once and
  // drops them.
  const typedAhead = useRef<Keystroke[]>([]);
  const flushing = useRef(false);
  const flush = () => {
    // One key at a time, in order: a key's own store updates do not start the next key.
    if (flushing.current) return;
    flushing.current = true;
    try {
      while (typedAhead.current.length > 0 && !waitingFor(store.getState())) {
        const next = typedAhead.current.shift()!;
        handleKey(next.input, next.key);
      }
    } finally {
      flushing.current = false;
    }
  };
  const flushRef = useRef(flush);
  flushRef.current = flush;
  useEffect(() => store.subscribe(() => {
    if (typedAhead.current.length > 0 && !waitingFor(store.getState())) flushRef.current();
  }), [store]);
  useInput((input, key) => {
    // A chunk of several keys (typed ahead, pasted, sent in one burst over SSH): each is its
    // own keystroke, none is dropped, whatever screen or line the first one opens.
    for (const keystroke of splitKeystrokes(input, key)) {
      if (keystroke.key.escape) typedAhead.current = [];
      if (typedAhead.current.length > 0 || (!keystroke.key.escape && waitingFor(store.getState()))) {
        if (typedAhead.current.length < 256) typedAhead.current.push(keystroke);
        continue;
      }
      handleKey(keystroke.input, keystroke.key);
    }
    flush();
  });
  return (
    <Box flexDirection="column" width={width} height={bodyHeight + 1 + queryRows + (commanding ? 1 : 0) + panelRows + messageRows.length}>
      {screen === 'list' && summaryRows(bodyHeight, width) ? <TopSummaryLine width={width} /> : null}
      {screen === 'list' ? <ListScreen width={width} height={bodyHeight - summaryRows(bodyHeight, width)} /> : null}
      {screen === 'trace' ? <TraceScreen width={width} height={bodyHeight} /> : null}
      {screen === 'help' ? <HelpScreen width={width} height={bodyHeight} /> : null}
      {screen === 'sessions' ? <SessionsScreen width={width} height={bodyHeight} /> : null}
      {screen === 'session' ? <SessionScreen width={width} height={bodyHeight} /> : null}
      {isSliceScreen(screen) ? <SliceScreenView screen={screen} width={width} height={bodyHeight} /> : null}
      {panel ? <ScorePanel width={width} /> : null}
      {querying ? <QueryLine width={width} /> : null}
      {commanding ? <CommandLine width={width} /> : null}
      <MessageLine lines={messageRows} width={width} />
      <StatusBar width={width} />
    </Box>
  );
}

export function App({ store, onQuit }: { store: StoreApi<TuiState>; onQuit?: () => void }) {
  return (
    <StoreContext.Provider value={store}>
      <Screens store={store} onQuit={onQuit} />
    </StoreContext.Provider>
  );
}
