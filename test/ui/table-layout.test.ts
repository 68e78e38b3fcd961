// Column widths that follow the content on screen (issue 17, item 6).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { growNeeds, layoutColumns, measureColumns } from '../../src/ui/table-layout.js';
import { LIST_COLUMNS } from '../../src/ui/screens/ListScreen.js';
import { summary } from '../helpers/fixtures.js';

const demoRows = [
  summary('a', { name: 'rag_pipeline', userId: 'u_04', sessionId: 'sess_0042', tags: ['production', 'rag'], scores: { groundedness: 0.91 } }),
  summary('b', { name: 'rag_pipeline', userId: 'u_12', sessionId: 'sess_0007', tags: ['rag', 'staging'], scores: { user_feedback: 'positive', groundedness: 0.94 } }),
];

const total = (columns: { width: number }[]) => columns.reduce((sum, column) => sum + column.width, 0) + columns.length - 1;

describe('column layout by content', () => {
  it('at 200 columns every cell is whole and NAME is as wide as its content, not 61', () => {
    const needs = measureColumns(LIST_COLUMNS, demoRows);
    const columns = layoutColumns(LIST_COLUMNS, 200, needs);
    assert.equal(columns.length, LIST_COLUMNS.length);
    for (const column of columns) assert.ok(column.width >= needs.get(column.id)!, `${column.id} is cut: ${column.width} < ${needs.get(column.id)}`);
    const name = columns.find((column) => column.id === 'name')!;
    assert.equal(name.width, Math.max(name.min, 'rag_pipeline'.length));
    assert.ok(total(columns) < 200, 'the rest stays blank at the end');
  });

  it('at 120 columns short cells are whole (session, user, tags) before long ones get more', () => {
    const needs = measureColumns(LIST_COLUMNS, demoRows);
    const columns = new Map(layoutColumns(LIST_COLUMNS, 120, needs).map((column) => [column.id, column.width]));
    assert.ok(columns.get('session')! >= 'sess_0042'.length, 'sess_0042 whole');
    assert.ok(columns.get('user')! >= 'USER'.length);
    assert.ok(columns.get('tags')! >= 'production,rag'.length, 'tags whole');
    assert.ok(columns.get('name')! <= 12, 'no blank columns in NAME');
  });

  it('never wider than the terminal, whatever the content, and keeps columns by priority', () => {
    const long = [summary('x', { name: 'n'.repeat(300), sessionId: 's'.repeat(90), tags: ['t'.repeat(80)], scores: { ['k'.repeat(50)]: 1 } })];
    const needs = measureColumns(LIST_COLUMNS, long);
    for (const width of [20, 40, 60, 80, 100, 120, 200, 300]) {
      const columns = layoutColumns(LIST_COLUMNS, width, needs);
      assert.ok(total(columns) <= width, `${width}: ${total(columns)}`);
      assert.ok(columns.some((column) => column.id === 'name'));
    }
  });

  it('measured widths only grow: the same needs come back while nothing on screen needs more (stable while scrolling)', () => {
    const first = measureColumns(LIST_COLUMNS, demoRows);
    const narrower = measureColumns(LIST_COLUMNS, [summary('c', { name: 'x', sessionId: null, tags: [] })]);
    assert.equal(growNeeds(first, narrower), first);
    const wider = measureColumns(LIST_COLUMNS, [summary('d', { name: 'a_much_longer_trace_name' })]);
    const grown = growNeeds(first, wider);
    assert.notEqual(grown, first);
    assert.equal(grown.get('name'), 'a_much_longer_trace_name'.length);
    assert.equal(grown.get('session'), first.get('session'));
  });

  it('a row is measured once (rows are replaced, not mutated)', () => {
    let calls = 0;
    const columns = [{ id: 'a', header: 'A', min: 1, max: 10, priority: 1, cell: (row: { text: string }) => (calls++, row.text) }];
    const cache = new WeakMap<{ text: string }, number[]>();
    const row = { text: 'hello' };
    measureColumns(columns, [row], cache);
    measureColumns(columns, [row], cache);
    assert.equal(calls, 1);
  });
});
