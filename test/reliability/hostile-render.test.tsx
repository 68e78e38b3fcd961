// The hostile corpus (test/fixtures/hostile) through the real App: each trace is ingested into
// a real embedded server, read back with the real client (so invalid UTF-8 arrives as the
// server decoded it), then shown in the list, the trace tree (fully expanded), the detail pane
// of the observation that carries the content and its next two pages, and (for traces with a
// session) the sessions list and the session replay — at 80×24 and 40×15, and side by side at
// 120×30 for the widest cases. The exact bytes Ink writes go to a headless xterm whose Unicode
// widths agree with string-width.
//
// Per case, size and view: nothing throws; the bytes hold no escape sequence but the cursor,
// erase, mode and SGR sequences Ink itself emits, no C1, BEL, DEL or bidi/invisible format
// character; the terminal's title, clipboard (OSC 52), links (OSC 8) and bell were never
// touched; the frame never scrolls the terminal (line count ≤ rows), the header sits on the
// first row and the status bar on the last, and no row is wider than the terminal.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { PassThrough } from 'node:stream';
import stringWidth from 'string-width';
import { App } from '../../src/ui/App.js';
import { renderInTerminal, Terminal, TerminalStream } from '../helpers/terminal.js';
import { createTuiStore, treeRows } from '../../src/store/store.js';
import { LangfuseClient, summaryFromTrace } from '../../src/api/client.js';
import type { TraceWithFullDetails } from '../../src/domain/types.js';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';
import { allCases, seedCorpus, type HostileCase } from '../fixtures/hostile/index.js';

const tick = (ms = 40) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A Unicode width provider for the headless terminal that agrees with string-width (Ink's
 * measure) grapheme by grapheme, as a modern terminal does: xterm's default (Unicode 6) gives
 * most emoji one column, and a terminal that disagrees with Ink on widths garbles any frame.
 * Packed properties as xterm's UnicodeService: state << 3 | width << 1 | shouldJoin; the state
 * remembers a ZWJ or an unpaired regional indicator so the next code point joins its cluster.
 */
const STATE_ZWJ = 1;
const STATE_REGIONAL = 2;
const pack = (state: number, width: number, join: boolean) => ((state & 0xffffff) << 3) | ((width & 3) << 1) | (join ? 1 : 0);
const widths = new Map<number, 0 | 1 | 2>();
const stringWidthProvider = {
  version: 'string-width',
  wcwidth(codepoint: number): 0 | 1 | 2 {
    let width = widths.get(codepoint);
    if (width === undefined) {
      width = Math.min(2, stringWidth(String.fromCodePoint(codepoint))) as 0 | 1 | 2;
      widths.set(codepoint, width);
    }
    return width;
  },
  charProperties(codepoint: number, preceding: number): number {
    const previousState = preceding >> 3;
    const previousWidth = (preceding >> 1) & 3;
    const regional = codepoint >= 0x1f1e6 && codepoint <= 0x1f1ff;
    const state = codepoint === 0x200d ? STATE_ZWJ : regional && previousState !== STATE_REGIONAL ? STATE_REGIONAL : 0;
    const modifier = codepoint >= 0x1f3fb && codepoint <= 0x1f3ff;
    const width = this.wcwidth(codepoint);
    const joins = preceding !== 0 && previousWidth > 0 && (width === 0 || previousState === STATE_ZWJ || modifier || (regional && previousState === STATE_REGIONAL));
    // VS16 (emoji presentation) and a flag's second regional indicator widen the cluster to 2.
    if (joins) return pack(state, codepoint === 0xfe0f || regional ? 2 : previousWidth, true);
    return pack(state, width, false);
  },
};


/**
 * What Ink itself writes: SGR colours and attributes, cursor moves and positioning, line and
 * screen erases, cursor visibility, the alternate screen, synchronized output and bracketed paste.
 */
const INK_SEQUENCE = /\x1b\[[0-9;]*[mABCDEFGHJK]|\x1b\[\?(?:25|1049|2026|2004|1004)[hl]/g;
/** Anything a terminal acts on besides "\n": C0, DEL, C1, bidi and invisible format characters. */
const DANGEROUS = /[\x00-\x09\x0B-\x1F\x7F\u0080-\u009F\u061C\u200B\u200E\u200F\u2028-\u202E\u2060-\u206F\uFEFF]/u;
/**
 * Sequences planted in the corpus that INK_SEQUENCE would let through if they leaked raw, and
 * that Ink never writes itself (it writes one SGR parameter at a time and moves by columns).
 */
const PLANTED = ['\x1b[5;7;31m', '\x1b[999C', '\x1b[10A\x1b[999C', '\x1b[0m\x1b[?1000h'];

function context(text: string, index: number) {
  return JSON.stringify(text.slice(Math.max(0, index - 60), index + 40));
}

interface Screen {
  terminal: InstanceType<typeof Terminal>;
  stdout: TerminalStream;
  stdin: PassThrough;
  events: string[];
  unmount(): void;
}

function mount(trace: TraceWithFullDetails, columns: number, rows: number): Screen & { store: ReturnType<typeof createTuiStore> } {
  // A real tty turns \n into \r\n (onlcr); the headless terminal must be told to.
  const terminal = new Terminal({ cols: columns, rows, allowProposedApi: true, scrollback: 1000, convertEol: true });
  terminal.unicode.register(stringWidthProvider);
  terminal.unicode.activeVersion = stringWidthProvider.version;
  const events: string[] = [];
  terminal.onTitleChange((title) => events.push(`title ${JSON.stringify(title)}`));
  terminal.onBell(() => events.push('bell'));
  for (const code of [0, 1, 2, 4, 7, 8, 10, 11, 52, 104, 1337]) {
    terminal.parser.registerOscHandler(code, (data) => {
      events.push(`OSC ${code} ${JSON.stringify(data.slice(0, 40))}`);
      return true;
    });
  }
  terminal.parser.registerDcsHandler({ intermediates: '+', final: 'q' }, () => {
    events.push('DCS +q');
    return true;
  });
  const stdout = new TerminalStream(terminal, columns, rows);
  const reader = { getTrace: async () => trace, listTraces: async () => [], getSessionTraces: async () => [trace] };
  const store = createTuiStore({ reader, host: 'http://127.0.0.1:3939' });
  const { instance, stdin } = renderInTerminal(<App store={store} />, stdout);
  return {
    terminal,
    stdout,
    stdin,
    events,
    store,
    unmount() {
      instance.unmount();
      terminal.dispose();
    },
  };
}

function screenLines(screen: Screen): string[] {
  const buffer = screen.terminal.buffer.active;
  return Array.from({ length: screen.terminal.rows }, (_, row) => buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
}

/** The bytes written since `from` and the terminal's state, for one view. */
function assertView(screen: Screen, from: number, view: string, columns: number, rows: number, firstRow: RegExp, mustDraw = true) {
  const bytes = screen.stdout.written.slice(from);
  if (mustDraw) assert.ok(bytes.length > 0, `${view}: nothing was drawn`);
  for (const planted of PLANTED) {
    const at = bytes.indexOf(planted);
    assert.equal(at, -1, `${view}: planted ${JSON.stringify(planted)} reached the terminal: ${context(bytes, at)}`);
  }
  const content = bytes.replace(INK_SEQUENCE, '');
  const escape = content.indexOf('\x1b');
  assert.equal(escape, -1, `${view}: an escape sequence Ink does not write: ${context(content, escape)}`);
  const danger = DANGEROUS.exec(content.replace(/\r?\n/g, ''));
  assert.equal(danger, null, `${view}: U+${danger?.[0].codePointAt(0)!.toString(16).padStart(4, '0')} written: ${danger ? context(content.replace(/\r?\n/g, ''), danger.index) : ''}`);
  assert.deepEqual(screen.events, [], `${view}: the terminal was told to do something`);
  const buffer = screen.terminal.buffer.active;
  assert.equal(buffer.baseY, 0, `${view}: the frame scrolled the terminal (taller than ${rows} rows)`);
  const lines = screenLines(screen);
  assert.match(lines[0]!, firstRow, `${view}: first row is not the header: ${JSON.stringify(lines[0])}`);
  assert.match(lines[rows - 1]!, /^● |^\/|^search:|^  /, `${view}: last row is not the status bar: ${JSON.stringify(lines[rows - 1])}`);
  for (const [row, line] of lines.entries()) {
    assert.ok(stringWidth(line) <= columns, `${view}: row ${row} is wider than ${columns}: ${JSON.stringify(line)}`);
  }
  for (let row = 1; row < rows; row++) {
    // A wrapped row means a line was wider than the terminal.
    assert.ok(!buffer.getLine(row)?.isWrapped, `${view}: row ${row} is the wrapped tail of a line wider than ${columns}: ${JSON.stringify(lines[row])}`);
  }
}

/** Until Ink has written nothing for a while: the frame for the last input is on the screen. */
async function settle(screen: Screen, quietMs = 30) {
  let length = -1;
  while (screen.stdout.written.length !== length) {
    length = screen.stdout.written.length;
    await tick(quietMs);
  }
}

/** Until Ink has written something since `from`, then until it is quiet. */
async function redrawn(screen: Screen, from: number, what: string) {
  await waitFor(() => screen.stdout.written.length > from, what);
  await settle(screen);
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await tick(20);
  }
}

const SIZES = [[80, 24], [40, 15]] as const;
/** Side by side (≥ 100 columns) too, where width matters most. */
const WIDE_TOO = new Set(['hostile-csi', 'hostile-osc', 'hostile-wide', 'hostile-bidi', 'hostile-gen-10mb', 'hostile-cycles']);

describe('hostile corpus in the TUI', { timeout: 120_000 }, () => {
  let server: TestServer;
  const cases: HostileCase[] = allCases();
  const traces = new Map<string, TraceWithFullDetails>();

  before(async () => {
    server = await startTestServer();
    await seedCorpus(server, cases);
    const client = new LangfuseClient({ host: server.url, publicKey: TEST_KEYS.publicKey, secretKey: TEST_KEYS.secretKey });
    for (const entry of cases) traces.set(entry.id, await client.getTrace(entry.id));
  });
  after(async () => {
    await server.close();
  });

  it('the checks catch a raw escape, a title change, a bell and an over-wide line (control)', async () => {
    const trace = traces.get('hostile-cycles')!;
    const leaks: [string, RegExp][] = [
      ['\x1b]0;pwned\x07', /escape sequence Ink does not write/],
      ['\x1b[5;7;31m', /planted/],
      ['\u009b2J', /U\+009b written/],
      ['\u202Eevil', /U\+202e written/],
      ['\x07', /U\+0007 written/],
    ];
    for (const [leak, expected] of leaks) {
      const screen = mount(trace, 80, 24);
      try {
        await settle(screen);
        screen.store.getState().actions.applyTraces([summaryFromTrace(trace)]);
        await settle(screen);
        const from = screen.stdout.written.length;
        screen.stdout.write(leak);
        await settle(screen);
        assert.throws(() => assertView(screen, from, 'control', 80, 24, /^(?:15m: |TIME)/), expected, JSON.stringify(leak));
      } finally {
        screen.unmount();
      }
    }
    const screen = mount(trace, 40, 15);
    try {
      await settle(screen);
      const from = screen.stdout.written.length;
      screen.stdout.write(`\x1b[5;1H${'x'.repeat(60)}`);
      await settle(screen);
      assert.throws(() => assertView(screen, from, 'control', 40, 15, /^TIME/), /wrapped tail|wider/);
    } finally {
      screen.unmount();
    }
  });

  it('the list shows a score named __proto__', async () => {
    const trace = traces.get('hostile-proto')!;
    const screen = mount(trace, 200, 10);
    try {
      await settle(screen);
      const from = screen.stdout.written.length;
      screen.store.getState().actions.applyTraces([summaryFromTrace(trace)]);
      await redrawn(screen, from, 'the list row');
      // The row under the column header (a summary line may come first).
      const lines = screenLines(screen);
      assert.match(lines[lines.findIndex((line) => /^TIME\s+NAME/.test(line)) + 1]!, /__proto__ polluted/);
    } finally {
      screen.unmount();
    }
  });

  it('sessions list and session replay stay inert and in the frame', async () => {
    for (const entry of cases.filter((c) => typeof c.trace.sessionId === 'string')) {
      const trace = traces.get(entry.id)!;
      for (const [columns, rows] of SIZES) {
        const at = `${entry.id} at ${columns}×${rows}`;
        const screen = mount(trace, columns, rows);
        try {
          await settle(screen);
          screen.store.getState().actions.applyTraces([summaryFromTrace(trace)]);
          await settle(screen);
          let from = screen.stdout.written.length;
          screen.stdin.write('C');
          await redrawn(screen, from, `${at}: the sessions`);
          assertView(screen, from, `${at} sessions`, columns, rows, /^Sessions \(1\)/);
          from = screen.stdout.written.length;
          screen.stdin.write('\r');
          await waitFor(() => screen.store.getState().sessions.conversation?.state === 'loaded', `${at}: the session`);
          await settle(screen);
          assertView(screen, from, `${at} session replay`, columns, rows, /^Session /);
        } finally {
          screen.unmount();
        }
      }
    }
  });

  for (const entry of cases) {
    it(`${entry.id}: list, tree and detail stay inert and in the frame (${entry.about.slice(0, 50)}…)`, async () => {
      const trace = traces.get(entry.id)!;
      for (const [columns, rows] of WIDE_TOO.has(entry.id) ? [...SIZES, [120, 30] as const] : SIZES) {
        const at = `${entry.id} at ${columns}×${rows}`;
        const screen = mount(trace, columns, rows);
        const errors: unknown[] = [];
        const onError = (error: unknown) => errors.push(error);
        process.on('uncaughtException', onError);
        try {
          await settle(screen);
          // The list, with the trace's summary as the live source would deliver it.
          let from = screen.stdout.written.length;
          screen.store.getState().actions.applyTraces([summaryFromTrace(trace)]);
          // The row under the column header (a summary line may come first).
          const listRow = () => screenLines(screen)[screenLines(screen).findIndex((line) => /^TIME/.test(line)) + 1] ?? '';
          await waitFor(() => listRow().trim() !== '' && !listRow().includes('waiting'), `${at}: the list row`);
          await settle(screen);
          assertView(screen, from, `${at} list`, columns, rows, /^(?:15m: |TIME)/);

          // The trace tree, fully expanded.
          from = screen.stdout.written.length;
          screen.stdin.write('\r');
          await waitFor(() => screen.store.getState().open?.state === 'loaded', `${at}: the trace to load`);
          screen.stdin.write('e');
          await waitFor(() => screen.store.getState().expanded.size > 0, `${at}: expand all`);
          await redrawn(screen, from, `${at}: the tree`);
          const treeHeader = new RegExp(`${entry.id}|…`);
          assertView(screen, from, `${at} tree`, columns, rows, treeHeader);
          const state = screen.store.getState();
          const treeRowsShown = treeRows(state);
          assert.equal(treeRowsShown.length, 1 + entry.observations.length, `${at}: every observation has exactly one row (cycles included)`);

          // The detail pane of the observation that carries the content (Tab to it when narrow).
          from = screen.stdout.written.length;
          const target = treeRowsShown.findIndex((row) => (entry.carrier === null ? row === null : row?.id === entry.carrier));
          assert.ok(target >= 0, `${at}: carrier ${entry.carrier} is in the tree`);
          for (let i = 0; i < target; i++) screen.stdin.write('j');
          await waitFor(() => screen.store.getState().treeCursor === target, `${at}: the cursor on the carrier`);
          if (columns < 100) {
            screen.stdin.write('\t');
            await waitFor(() => screen.store.getState().focus === 'detail', `${at}: focus on the detail`);
          }
          if (target > 0 || columns < 100) await redrawn(screen, from, `${at}: the detail`);
          else await settle(screen);
          assertView(screen, from, `${at} detail`, columns, rows, treeHeader, target > 0 || columns < 100);
          // The next pages of the detail: the payload itself.
          for (let page = 0; page < 2; page++) {
            from = screen.stdout.written.length;
            screen.store.getState().actions.scrollDetail(rows - 3);
            await settle(screen);
            // Past the end of a short detail the frame does not change and nothing is written.
            assertView(screen, from, `${at} detail page ${page + 2}`, columns, rows, treeHeader, false);
          }
          assert.deepEqual(errors, [], `${at}: uncaught errors`);
        } finally {
          process.off('uncaughtException', onError);
          screen.unmount();
        }
      }
    });
  }
});
