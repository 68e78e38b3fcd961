// The root component: sizes every screen to the terminal (a frame taller than the terminal
// makes Ink clear the whole screen), routes keys through the keymap to store actions.
import React from 'react';
import { Box, useApp, useInput, useWindowSize } from 'ink';
import type { StoreApi } from 'zustand/vanilla';
import { treeRows, visibleIds, type TuiState } from '../store/store.js';
import { copyToClipboard } from './clipboard.js';
import { commandFor, type Command } from './keymap.js';
import { StoreContext, useTui } from './store-context.js';
import { ListScreen } from './screens/ListScreen.js';
import { TraceScreen } from './screens/TraceScreen.js';
import { HelpScreen } from './screens/HelpScreen.js';
import { SessionScreen, SessionsScreen } from './screens/SessionsScreen.js';
import { StatusBar } from './components/StatusBar.js';
import { QueryLine } from './components/QueryLine.js';
import { ScorePanel, panelHeight } from './components/ScorePanel.js';

/** Rows a movement command moves by, or null for other commands. */
function movement(command: Command, page: number): number | null {
  switch (command) {
    case 'cursor.down': return 1;
    case 'cursor.up': return -1;
    case 'page.down': return page;
    case 'page.up': return -page;
    case 'halfpage.down': return Math.ceil(page / 2);
    case 'halfpage.up': return -Math.ceil(page / 2);
    default: return null;
  }
}

function run(store: StoreApi<TuiState>, command: Command, bodyHeight: number, exit: () => void) {
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
  if (screen === 'sessions' || screen === 'session') {
    const move = screen === 'sessions' ? actions.moveSessionCursor : actions.moveTurnCursor;
    if (command === 'cursor.down') return move(1);
    if (command === 'cursor.up') return move(-1);
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
  const delta = movement(command, page);
  if (screen === 'list') {
    if (delta !== null) return actions.moveCursor(delta, bodyHeight - 1);
    switch (command) {
      case 'cursor.top': return actions.jumpTop();
      case 'cursor.bottom': return actions.jumpBottom(bodyHeight - 1);
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
  // One line for the status bar (two with the query line open); the rest is the screen.
  // Never taller than the terminal.
  const querying = useTui((state) => state.query !== null);
  const panel = useTui((state) => state.scorePanel);
  const panelRows = panelHeight(panel);
  const bodyHeight = Math.max(2, rows - 1 - (querying ? 1 : 0) - panelRows);
  useInput((input, key) => {
    const { query, actions, scorePanel, quickLabel, spanSearch } = store.getState();
    if (spanSearch?.editing) {
      if (key.escape) return actions.closeSpanSearch(false);
      if (key.return) {
        actions.closeSpanSearch(true);
        return actions.jumpToMatch(1, bodyHeight - 2);
      }
      if (key.backspace || key.delete) return actions.editSpanSearch(spanSearch.text.slice(0, -1));
      if (key.tab) return actions.toggleSearchPayloads();
      const text = input.replace(/[\r\n]/g, '');
      if (text && !key.ctrl && !key.meta) actions.editSpanSearch(spanSearch.text + text);
      if (/[\r\n]/.test(input)) {
        actions.closeSpanSearch(true);
        actions.jumpToMatch(1, bodyHeight - 2);
      }
      return;
    }
    if (spanSearch && key.escape && store.getState().screens.at(-1) === 'trace') return actions.closeSpanSearch(false);
    // Text typed fast arrives in one chunk, Enter included ("0.7\r"): replay it key by key.
    if ((scorePanel || query) && input.length > 1 && !key.ctrl && !key.meta) {
      for (const char of input) {
        const state = store.getState();
        const asKey = char === '\r' || char === '\n' ? { return: true } : char === '\x7f' || char === '\b' ? { backspace: true } : {};
        const text = 'return' in asKey || 'backspace' in asKey ? '' : char;
        if (state.scorePanel) state.actions.scorePanelKey(text, asKey);
        else if (state.query) {
          if ('return' in asKey) state.actions.applyQuery();
          else if ('backspace' in asKey) state.actions.editQuery(state.query.text.slice(0, -1));
          else state.actions.editQuery(state.query.text + text);
        }
      }
      return;
    }
    if (scorePanel) return actions.scorePanelKey(input, key);
    if (quickLabel && store.getState().screens.at(-1) === 'list') {
      if (key.escape) return actions.exitQuickLabel();
      // Each key of a fast burst is its own label: none is lost.
      const keys = input.length > 1 && !key.ctrl ? [...input] : [input];
      let handled = true;
      for (const keystroke of keys) handled = actions.quickLabelKey(keystroke, bodyHeight - 1) && handled;
      if (handled) return;
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
    // Keys typed faster than a frame (or sent by tmux in one write) arrive as one chunk:
    // each character is its own keystroke, none is dropped.
    const keystrokes = input.length > 1 && !key.ctrl && !key.meta ? [...input] : [input];
    for (const keystroke of keystrokes) {
      const command = commandFor(keystroke, key, store.getState().screens.at(-1) ?? 'list');
      if (!command) continue;
      run(store, command, bodyHeight, () => {
        onQuit?.();
        exit();
      });
    }
  });
  return (
    <Box flexDirection="column" width={width} height={bodyHeight + 1 + (querying ? 1 : 0) + panelRows}>
      {screen === 'list' ? <ListScreen width={width} height={bodyHeight} /> : null}
      {screen === 'trace' ? <TraceScreen width={width} height={bodyHeight} /> : null}
      {screen === 'help' ? <HelpScreen width={width} height={bodyHeight} /> : null}
      {screen === 'sessions' ? <SessionsScreen width={width} height={bodyHeight} /> : null}
      {screen === 'session' ? <SessionScreen width={width} height={bodyHeight} /> : null}
      {panel ? <ScorePanel width={width} /> : null}
      {querying ? <QueryLine width={width} /> : null}
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
