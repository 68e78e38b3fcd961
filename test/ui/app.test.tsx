// The screens as ink-testing-library renders them (100 columns): what a user sees.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import { createTuiStore } from '../../src/store/store.js';
import type { TraceReader } from '../../src/api/types.js';
import type { TraceWithFullDetails } from '../../src/domain/types.js';
import { ragTree, summary } from '../helpers/fixtures.js';
import { layoutColumns } from '../../src/ui/table-layout.js';
import { LIST_COLUMNS } from '../../src/ui/screens/ListScreen.js';
import { display } from '../../src/ui/theme.js';

// ink-testing-library's frames carry no colour, so the waterfall is drawn as it is without
// colour: with glyphs (the coloured cells are checked in tmux, test/e2e/tui.test.ts).
display.colour = false;

const tick = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

/** An in-memory TraceReader: these tests are about rendering, not HTTP. */
function reader(traces: TraceWithFullDetails[]): TraceReader {
  return {
    getTrace: async (id) => {
      const trace = traces.find((candidate) => candidate.id === id);
      if (!trace) throw new Error(`404 trace ${id}`);
      return trace;
    },
    listTraces: async () => [],
  };
}

function setup(traces: TraceWithFullDetails[] = [ragTree('t1')]) {
  const store = createTuiStore({ reader: reader(traces), host: 'http://127.0.0.1:3939' });
  const app = render(<App store={store} />);
  return { store, app };
}

describe('live list', () => {
  it('shows the columns and newest traces first, with levels and scores', async () => {
    const { store, app } = setup();
    store.getState().actions.applyTraces([
      summary('t1', { name: 'first', errorCount: 2, warningCount: 1, scores: { groundedness: 0.92 } }),
      summary('t2', { name: 'second', userId: 'u_42' }),
    ]);
    await tick();
    const frame = app.lastFrame()!;
    // From the column header on (a summary line may come first).
    const lines = frame.split('\n').slice(frame.split('\n').findIndex((line) => /TIME\s+NAME/.test(line)));
    assert.match(lines[0]!, /TIME\s+NAME\s+USER/);
    assert.match(lines[0]!, /LATENCY/);
    assert.match(lines[1]!, /second\s+u_42/);
    assert.match(lines[2]!, /first/);
    assert.match(lines[2]!, /2E 1W/);
    assert.match(lines[2]!, /groundedness 0\.92/);
    assert.match(frame, /● connecting/);
    assert.match(frame, /2 buffered/);
    app.unmount();
  });

  it('drops columns by priority as the terminal narrows', () => {
    const at40 = layoutColumns(LIST_COLUMNS, 40).map((column) => column.id);
    for (const id of ['time', 'name', 'latency', 'level']) assert.ok(at40.includes(id), `${id} at 40 columns`);
    assert.ok(!at40.includes('session') && !at40.includes('tags'));
    const at120 = layoutColumns(LIST_COLUMNS, 120).map((column) => column.id);
    assert.equal(at120.length, LIST_COLUMNS.length);
    for (const width of [40, 60, 80, 100, 120, 200]) {
      const columns = layoutColumns(LIST_COLUMNS, width);
      assert.ok(columns.reduce((sum, column) => sum + column.width, 0) + columns.length - 1 <= width);
    }
  });

  it('pauses when the cursor leaves the newest row and counts what arrives', async () => {
    const { store, app } = setup();
    store.getState().actions.applyTraces([summary('a'), summary('b'), summary('c')]);
    await tick();
    app.stdin.write('j');
    await tick();
    store.getState().actions.applyTraces([summary('d'), summary('e')]);
    await tick();
    assert.match(app.lastFrame()!, /PAUSED \+2 new/);
    app.stdin.write(' ');
    await tick();
    assert.doesNotMatch(app.lastFrame()!, /PAUSED/);
    app.unmount();
  });

  it('renders a hostile trace name inert', async () => {
    const { store, app } = setup();
    store.getState().actions.applyTraces([summary('h', { name: '\x1b[2J\x1b]52;c;ZXZpbA==\x07pwned\u202E', userId: '\x1b[31mred' })]);
    await tick();
    const frame = app.lastFrame()!;
    assert.ok(!frame.includes('\x1b[2J') && !frame.includes('\x1b]52') && !frame.includes('\u202E'));
    assert.match(frame, /␛\[2J/);
    app.unmount();
  });
});

describe('trace view', () => {
  it('opens the tree with markers, waterfall, durations and the error in red text', async () => {
    const { store, app } = setup();
    store.getState().actions.applyTraces([summary('t1')]);
    await tick();
    app.stdin.write('\r');
    await tick(60);
    const frame = app.lastFrame()!;
    assert.match(frame, /- S rag_pipeline/);
    assert.match(frame, /M embed_query/);
    assert.match(frame, /R vector_search/);
    assert.match(frame, /G generate_response: up/);
    assert.match(frame, /600ms/);
    assert.match(frame, /█/);
    // The detail pane starts on the trace itself.
    assert.match(frame, /user\s+u_1/);
    assert.match(frame, /"question": "q\?"/);
    app.unmount();
  });

  it('collapses and expands, and shows an observation in the detail pane', async () => {
    const { store, app } = setup();
    store.getState().actions.applyTraces([summary('t1')]);
    await tick();
    app.stdin.write('\r');
    await tick(60);
    app.stdin.write('c');
    await tick();
    assert.doesNotMatch(app.lastFrame()!, /embed_query/);
    app.stdin.write('e');
    await tick();
    assert.match(app.lastFrame()!, /cache_miss/);
    // Down to generate_response: trace, root, embed, search, miss, rerank, gen.
    for (let i = 0; i < 6; i++) app.stdin.write('j');
    await tick();
    const frame = app.lastFrame()!;
    assert.match(frame, /model\s+gpt-4o-mini/);
    assert.match(frame, /status\s+upstream timeout after 30s/);
    assert.match(frame, /usage\s+input 1000  output 200/);
    assert.match(frame, /"role": "user"/);
    assert.match(frame, /"content": "What is the/);
    app.stdin.write('\x1b');
    await tick(60);
    assert.match(app.lastFrame()!, /TIME\s+NAME/);
    app.unmount();
  });

  it('shows the help from the keymap, scrolled with j/k, PgDn, g/G, and says there is more', async () => {
    const { app } = setup();
    app.stdin.write('?');
    await tick();
    let frame = app.lastFrame()!;
    assert.match(frame, /tracetop keys/);
    assert.match(frame, /lines 1-\d+ of \d+; j\/k PgDn\/PgUp g\/G scroll/);
    assert.match(frame, /-- \d+ more lines below: j, PgDn or G --/);
    // Page by page (PgDn), every key of the table shows, whole.
    const seen = new Set<string>();
    for (let page = 0; page < 20 && !/end of the keys/.test(frame); page++) {
      for (const line of frame.split('\n')) seen.add(line.trimEnd());
      app.stdin.write('\x1b[6~');
      await tick();
      frame = app.lastFrame()!;
    }
    for (const line of frame.split('\n')) seen.add(line.trimEnd());
    const text = [...seen].join('\n');
    assert.match(text, /Space\s+pause the list/);
    assert.match(text, /e \[\s+expand all/);
    assert.match(text, /q Ctrl-c\s+quit/);
    assert.match(frame, /-- end of the keys/);
    app.stdin.write('g');
    await tick();
    assert.match(app.lastFrame()!, /lines 1-/);
    app.stdin.write('j');
    await tick();
    assert.match(app.lastFrame()!, /lines 2-/);
    app.stdin.write('G');
    await tick();
    assert.match(app.lastFrame()!, /-- end of the keys/);
    app.unmount();
  });
});

describe('sessions', () => {
  it('lists sessions among buffered traces and replays one as a conversation', async () => {
    const turn = (id: string, at: string, question: string, answer: string) =>
      ({ ...ragTree(id), timestamp: at, sessionId: 'sess-9', input: { question }, output: { answer } });
    const traces = [turn('a1', '2026-11-24T10:00:00.000Z', 'capital of France?', 'Paris.'), turn('a2', '2026-11-24T10:01:00.000Z', 'and of Italy?', 'Rome.')];
    const { store, app } = setup(traces);
    store.getState().actions.applyTraces([
      summary('a1', { sessionId: 'sess-9', timestamp: traces[0]!.timestamp, totalCost: 0.001 }),
      summary('a2', { sessionId: 'sess-9', timestamp: traces[1]!.timestamp, totalCost: 0.002, errorCount: 1 }),
      summary('b1', { sessionId: 'sess-1' }),
    ]);
    await tick();
    app.stdin.write('C');
    await tick();
    let frame = app.lastFrame()!;
    assert.match(frame, /Sessions \(2\)/);
    assert.match(frame, /sess-9\s+u_1\s+2/);
    app.stdin.write('\r');
    await tick(60);
    frame = app.lastFrame()!;
    assert.match(frame, /Session sess-9 — 2 turns/);
    assert.ok(frame.indexOf('capital of France?') < frame.indexOf('and of Italy?'), 'turns in order');
    assert.match(frame, /‹ Paris\./);
    app.stdin.write('j');
    app.stdin.write('\r');
    await tick(60);
    assert.match(app.lastFrame()!, /R vector_search/);
    app.stdin.write('\x1b');
    await tick(60);
    assert.match(app.lastFrame()!, /Session sess-9/);
    app.unmount();
  });
});

describe('read-only', () => {
  it('--read-only turns scoring keys off and says so', async () => {
    const submitted: string[] = [];
    const scoring = {
      configs: async () => [],
      submit: () => {
        submitted.push('x');
        throw new Error('must not be called');
      },
      undo: async () => {},
      status: () => ({ pending: 0, failed: 0, detail: null }),
      isPending: () => false,
      failure: () => null,
      onStatus: () => () => {},
      close() {},
    };
    const store = createTuiStore({ reader: reader([]), host: 'h', scoring: scoring as never, readOnly: true });
    const app = render(<App store={store} />);
    store.getState().actions.applyTraces([summary('t1')]);
    await tick();
    app.stdin.write('s');
    await tick();
    assert.match(app.lastFrame()!, /read-only: scoring is off/);
    app.stdin.write('L');
    await tick();
    assert.equal(store.getState().scoring.panel, null);
    assert.deepEqual(submitted, []);
    app.unmount();
  });
});

describe('trace links', () => {
  it('links the trace id to its Langfuse page with OSC 8 when a UI is known', async () => {
    const store = createTuiStore({ reader: reader([ragTree('t1')]), host: 'https://cloud.langfuse.com', linkBase: 'https://cloud.langfuse.com' });
    const app = render(<App store={store} />);
    store.getState().actions.applyTraces([summary('t1')]);
    await tick();
    app.stdin.write('\r');
    await tick(60);
    assert.ok(app.lastFrame()!.includes('\x1b]8;;https://cloud.langfuse.com/project/p/traces/t1\x07t1\x1b]8;;\x07'));
    app.unmount();
  });
});

describe('trace navigation keys', () => {
  it('/ searches spans with n/N, x keeps errors, P marks the critical path', async () => {
    const { store, app } = setup();
    store.getState().actions.applyTraces([summary('t1')]);
    await tick();
    app.stdin.write('\r');
    await tick(60);
    app.stdin.write('c');
    await tick();
    app.stdin.write('/');
    await tick();
    app.stdin.write('miss');
    await tick();
    assert.match(app.lastFrame()!, /search: miss▏\s+1 match/);
    app.stdin.write('\r');
    await tick(60);
    let frame = app.lastFrame()!;
    assert.match(frame, /search: miss\s+1\/1 match/);
    assert.match(frame, /^> .*cache_miss/m);
    assert.match(frame, /cache_miss\s+event miss/, 'the detail shows the match');
    app.stdin.write('\x1b');
    await tick(60);
    app.stdin.write('x');
    await tick();
    frame = app.lastFrame()!;
    assert.match(frame, /generate_response/);
    assert.doesNotMatch(frame, /embed_query|rerank_documents/);
    app.stdin.write('x');
    await tick();
    app.stdin.write('P');
    await tick();
    frame = app.lastFrame()!;
    assert.match(frame, /^\*.*S rag_pipeline/m);
    assert.match(frame, /^\*.*generate_response/m);
    assert.doesNotMatch(frame, /^\*.*embed_query/m);
    app.unmount();
  });
});

describe('expand levels', () => {
  it('o opens one level deeper, p closes the deepest open level', async () => {
    const { store, app } = setup();
    store.getState().actions.applyTraces([summary('t1')]);
    await tick();
    app.stdin.write('\r');
    await tick(60);
    app.stdin.write('c');
    await tick();
    app.stdin.write('o');
    await tick();
    let frame = app.lastFrame()!;
    assert.match(frame, /\+ S rag_pipeline/);
    assert.doesNotMatch(frame, /embed_query/);
    app.stdin.write('o');
    await tick();
    frame = app.lastFrame()!;
    assert.match(frame, /embed_query/);
    assert.doesNotMatch(frame, /cache_miss/);
    app.stdin.write('o');
    await tick();
    assert.match(app.lastFrame()!, /cache_miss/);
    app.stdin.write('p');
    await tick();
    frame = app.lastFrame()!;
    assert.match(frame, /embed_query/);
    assert.doesNotMatch(frame, /cache_miss/);
    app.unmount();
  });
});
