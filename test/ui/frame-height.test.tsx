// The frame never exceeds the terminal (Ink clears the whole screen when it does, which
// flickers and wipes scrollback over SSH): the real App rendered into a headless xterm at
// several sizes, navigated hard, must never scroll the terminal nor emit a full-screen clear.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { App } from '../../src/ui/App.js';
import { renderInTerminal, Terminal, TerminalStream } from '../helpers/terminal.js';
import { createTuiStore } from '../../src/store/store.js';
import { fullTrace, observation, summary } from '../helpers/fixtures.js';

const tick = (ms = 40) => new Promise((resolve) => setTimeout(resolve, ms));


function bigTrace() {
  const start = Date.parse('2026-11-24T10:00:00Z');
  return fullTrace(
    'big',
    Array.from({ length: 300 }, (_, i) =>
      observation(`o${i}`, {
        parentObservationId: i === 0 ? null : `o${Math.floor((i - 1) / 4)}`,
        name: `step_${i} ${'long name '.repeat(i % 7)}`,
        type: i % 5 === 0 ? 'GENERATION' : 'SPAN',
        level: i % 37 === 0 ? 'ERROR' : 'DEFAULT',
        statusMessage: i % 37 === 0 ? 'upstream timeout after 30s with a long explanation that wraps' : null,
        startTime: new Date(start + i * 10).toISOString(),
        endTime: new Date(start + i * 10 + 200).toISOString(),
        input: { text: 'x'.repeat(500), nested: { deep: [1, 2, 3] } },
      }),
    ),
  );
}

for (const [columns, rows] of [[40, 15], [80, 24], [120, 40]] as const) {
  describe(`frame height at ${columns}×${rows}`, () => {
    it('never scrolls the terminal or clears the whole screen while navigating', async () => {
      // A real tty turns \n into \r\n (onlcr); the headless terminal must be told to.
      const terminal = new Terminal({ cols: columns, rows, allowProposedApi: true, scrollback: 1000, convertEol: true });
      const stdout = new TerminalStream(terminal, columns, rows);
      const trace = bigTrace();
      const store = createTuiStore({ reader: { getTrace: async () => trace, listTraces: async () => [] }, host: 'http://127.0.0.1:3939' });
      store.getState().actions.applyTraces(Array.from({ length: 200 }, (_, i) => summary(i === 199 ? 'big' : `t${i}`, { name: `trace ${i} ${'with a long name '.repeat(3)}`, errorCount: i % 3, scores: { groundedness: 0.5, user_feedback: 'negative' } })));
      const { instance, stdin } = renderInTerminal(<App store={store} />, stdout);
      await tick(100);
      const afterFirstFrame = stdout.written.length;
      const keys = ['j', 'j', 'G', 'g', '?', '\x1b', '/', 'tag:x', '\x1b', 'C', '\x1b', '\r', 'e', 'j', 'j', 'G', '\t', 'j', 'j', '\t', 'c', 'o', 'o', 'x', 'P', 'S', 'S', 'z', 'j', 'j', 'z', 'a', 'a', '/', 'step_1', '\t', '\r', 'n', 'n', 'N', 'm', 'm', '\x1b', 's', '\x1b', 'q'];
      for (const key of keys.slice(0, -1)) {
        stdin.write(key);
        await tick(key === '\r' ? 120 : 40);
        // A frame taller than the terminal pushes its first line off the top and its status bar
        // below the last row: the status bar must sit on the last row, every time.
        const buffer = terminal.buffer.active;
        const last = buffer.getLine(rows - 1)?.translateToString(true) ?? '';
        assert.match(last, /^● |^\/|^search:|^  /, `after ${JSON.stringify(key)} the last row is not the status bar: ${JSON.stringify(last)}`);
        assert.equal(buffer.baseY, 0, `the terminal scrolled after ${JSON.stringify(key)}`);
      }
      const navigation = stdout.written.slice(afterFirstFrame);
      assert.ok(!navigation.includes('\x1b[2J'), 'no full-screen clear during navigation');
      assert.ok(!navigation.includes('\x1b[3J'), 'scrollback never wiped');
      for (let row = 0; row < rows; row++) {
        const line = terminal.buffer.active.getLine(row)?.translateToString(true) ?? '';
        assert.ok(line.length <= columns);
      }
      instance.unmount();
      terminal.dispose();
    });
  });
}
