// The root component: sizes every screen to the terminal (a frame taller than the terminal
// makes Ink clear the whole screen), routes keys through the keymap to store actions.
import React from 'react';
import { Box, useApp, useInput, useWindowSize } from 'ink';
import type { StoreApi } from 'zustand/vanilla';
import type { TuiState } from '../store/store.js';
import { commandFor, type Command } from './keymap.js';
import { StoreContext, useTui } from './store-context.js';
import { ListScreen } from './screens/ListScreen.js';
import { TraceScreen } from './screens/TraceScreen.js';
import { HelpScreen } from './screens/HelpScreen.js';
import { StatusBar } from './components/StatusBar.js';

function run(store: StoreApi<TuiState>, command: Command, bodyHeight: number, exit: () => void) {
  const state = store.getState();
  const { actions } = state;
  const screen = state.screens.at(-1) ?? 'list';
  const page = Math.max(1, bodyHeight - 2);
  if (command === 'quit') return exit();
  if (command === 'help') return actions.showHelp();
  if (command === 'back') return actions.back();
  if (screen === 'list') {
    const move = (delta: number) => actions.moveCursor(delta, bodyHeight - 1);
    switch (command) {
      case 'cursor.down': return move(1);
      case 'cursor.up': return move(-1);
      case 'page.down': return move(page);
      case 'page.up': return move(-page);
      case 'halfpage.down': return move(Math.ceil(page / 2));
      case 'halfpage.up': return move(-Math.ceil(page / 2));
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
    const move = (delta: number) => (inDetail ? actions.scrollDetail(delta) : actions.moveTreeCursor(delta, treeHeight));
    switch (command) {
      case 'cursor.down': return move(1);
      case 'cursor.up': return move(-1);
      case 'page.down': return move(page);
      case 'page.up': return move(-page);
      case 'halfpage.down': return move(Math.ceil(page / 2));
      case 'halfpage.up': return move(-Math.ceil(page / 2));
      case 'cursor.top': return inDetail ? actions.scrollDetail(-Number.MAX_SAFE_INTEGER) : actions.jumpTree('top', treeHeight);
      case 'cursor.bottom': return inDetail ? undefined : actions.jumpTree('bottom', treeHeight);
      case 'open': return actions.toggleNode();
      case 'node.collapse': return actions.setNodeExpanded(false);
      case 'node.expand': return actions.setNodeExpanded(true);
      case 'tree.expandAll': return actions.expandAll();
      case 'tree.collapseAll': return actions.collapseAll();
      case 'focus.toggle': return actions.toggleFocus();
      default: return;
    }
  }
}

function Screens({ store, onQuit }: { store: StoreApi<TuiState>; onQuit?: () => void }) {
  const { columns, rows } = useWindowSize();
  const { exit } = useApp();
  const screen = useTui((state) => state.screens.at(-1) ?? 'list');
  const width = Math.max(20, columns);
  // One line for the status bar; the rest is the screen. Never taller than the terminal.
  const bodyHeight = Math.max(2, rows - 1);
  useInput((input, key) => {
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
    <Box flexDirection="column" width={width} height={bodyHeight + 1}>
      {screen === 'list' ? <ListScreen width={width} height={bodyHeight} /> : null}
      {screen === 'trace' ? <TraceScreen width={width} height={bodyHeight} /> : null}
      {screen === 'help' ? <HelpScreen width={width} height={bodyHeight} /> : null}
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
