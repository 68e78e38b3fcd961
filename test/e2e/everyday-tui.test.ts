// Issue 17 in tmux, as a new user meets it, at 80×24 and 120×40: the sessions list holds
// still, keys typed in a burst all count, columns follow the content, `?` scrolls, the detail
// pane shows a status message whole and no dead link, the `/` line adds a condition and says
// so; and under NO_COLOR the demo writes no colour at all while the cursor stays visible.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasTmux, startTmux, type TmuxSession } from '../helpers/tmux.js';
import { startTestServer, TEST_KEYS, tempDir, type TestServer } from '../helpers/server.js';
import { ragTrace } from '../helpers/ingest.js';
import { KEYMAP } from '../../src/ui/keymap.js';

const skip = hasTmux ? false : 'tmux is not installed';
const SIZES = [
  { width: 80, height: 24 },
  { width: 120, height: 40 },
] as const;
const STATUS = 'vector index unavailable: connection refused by 10.0.0.12:6333 after 3 retries while waiting for the shard leader';

/** The screen's line drawn in reverse video (the selection), as text. */
function selectedLine(tui: TmuxSession): string | null {
  const line = tui.styledScreen().split('\n').find((candidate) => /\x1b\[(?:[\d;]*;)?7(?:;[\d;]*)?m/.test(candidate));
  return line === undefined ? null : line.replace(/\x1b\[[\d;]*m/g, '');
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000, show?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}${show ? `\n${show()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('everyday TUI (issue 17)', { skip }, () => {
  let server: TestServer;
  const home = tempDir();
  const sessions: TmuxSession[] = [];
  const env = () => ({ XDG_DATA_HOME: home.path, XDG_STATE_HOME: home.path, XDG_CONFIG_HOME: home.path, LANGFUSE_PUBLIC_KEY: TEST_KEYS.publicKey, LANGFUSE_SECRET_KEY: TEST_KEYS.secretKey, LANGFUSE_BASE_URL: server.url });
  const start = (args: string[], size: { width: number; height: number }) => {
    const tui = startTmux(args, { env: env(), ...size });
    sessions.push(tui);
    return tui;
  };
  const ingest = async (id: string, options: Parameters<typeof ragTrace>[1]) => server.post('/api/public/ingestion', { batch: ragTrace(id, options) });

  before(async () => {
    server = await startTestServer();
    await server.post('/api/public/score-configs', { name: 'resolved', dataType: 'BOOLEAN' });
    const now = Date.now();
    // Three sessions, sess_0001 the most recently active.
    for (const [index, session] of ['sess_0003', 'sess_0002', 'sess_0001'].entries()) {
      await ingest(`s-${session}`, { sessionId: session, userId: `u_0${index}`, tags: ['production', 'rag'], at: new Date(now - 60_000 + index * 1000) });
    }
    await server.post('/api/public/ingestion', {
      batch: [
        { id: 'ev-failing', type: 'trace-create', timestamp: new Date(now - 30_000).toISOString(), body: { id: 'failing-trace', name: 'checkout_flow', userId: 'u_9', tags: ['production'], timestamp: new Date(now - 30_000).toISOString() } },
        { id: 'ev-failing-r', type: 'retriever-create', timestamp: new Date(now - 30_000).toISOString(), body: { id: 'failing-r', traceId: 'failing-trace', name: 'vector_search', startTime: new Date(now - 30_000).toISOString(), endTime: new Date(now - 29_000).toISOString(), level: 'ERROR', statusMessage: STATUS } },
      ],
    });
  });
  after(async () => {
    for (const session of sessions) session.kill();
    await server.close();
    home.remove();
  });

  for (const size of SIZES) {
    const at = `${size.width}x${size.height}`;

    it(`${at}: the sessions list keeps the selected session as sessions update; Enter opens that one`, async () => {
      const tui = start([], size);
      await tui.waitFor(/checkout_flow/);
      tui.keys('C');
      const list = await tui.waitFor(/Sessions \(3\)[\s\S]*sess_\d+[\s\S]*sess_\d+[\s\S]*sess_\d+/);
      const [, second, last] = [...new Set(list.match(/sess_\d+/g))];
      tui.keys('j');
      await until(() => selectedLine(tui)?.includes(second!) ?? false, `${second} selected`);
      // The session at the bottom gets a new turn and moves to the top: the selection stays put.
      await ingest(`s-${last}-${at}`, { sessionId: last, userId: 'u_00' });
      await tui.waitFor((screen) => screen.indexOf(last!) < screen.indexOf(second!));
      assert.match(selectedLine(tui)!, new RegExp(second!));
      tui.keys('Enter');
      await tui.waitFor(new RegExp(`Session ${second} — \\d+ turns? —`));
      tui.keys('q');
      await tui.waitFor(/\[exited 0\]/);
    });

    it(`${at}: keys typed in one burst all count: "/abc", "/" then Ctrl-U, Enter then j j`, async () => {
      await ingest(`burst-${at}`, { name: 'burst_trace' });
      const tui = start(['--tag', 'production'], size);
      await tui.waitFor(/burst_trace/);
      tui.keys('-l', '/abc');
      await tui.waitFor(/\/tag:production abc/);
      tui.keys('Escape');
      await tui.waitFor((screen) => !screen.includes('/tag:production abc'));
      // `/` and Ctrl-U in one send: the line opens, then is cleared.
      tui.keys('/', 'C-u');
      await tui.waitFor(/no filter: Enter shows every trace/);
      tui.keys('Escape');
      await tui.waitFor((screen) => !screen.includes('no filter'));
      // Enter and two j in one send, while the trace is still loading: both j count.
      tui.keys('Enter', 'j', 'j');
      await until(() => /G generate_response/.test(selectedLine(tui) ?? ''), 'the cursor two rows down, on generate_response');
      tui.keys('q');
      await tui.waitFor(/\[exited 0\]/);
    });

    it(`${at}: the / line adds a condition after a space and says what Enter will do`, async () => {
      const tui = start(['--tag', 'production'], size);
      await tui.waitFor(/filter: tag:production/);
      tui.keys('/');
      await tui.waitFor(/buffered match(es)?; Enter keeps traces with tag production(?! and)/);
      tui.keys('-l', 'name:checkout_flow');
      await tui.waitFor(/\/tag:production name:checkout_flow/);
      // In full, over two lines where one is too narrow.
      await tui.waitFor((screen) => screen.replace(/\s+/g, ' ').includes('1 buffered match; Enter keeps traces with tag production and name checkout_flow'));
      tui.keys('Enter');
      await tui.waitFor((screen) => /filter: tag:production name:/.test(screen) && /^\d\d:\d\d:\d\d checkout_flow/m.test(screen) && !screen.includes('rag_pipeline'));
      // Two conditions typed together are one value: the line says so before Enter.
      tui.keys('/', 'C-u');
      tui.keys('-l', 'tag:productionname:checkout_flow');
      await tui.waitFor((screen) => screen.replace(/\s+/g, ' ').includes('one tag value: a space before name:?'));
      tui.keys('Escape');
      tui.keys('q');
      await tui.waitFor(/\[exited 0\]/);
    });

    it(`${at}: ? help scrolls with j/k, PgDn, g/G and says there is more`, async () => {
      const tui = start([], size);
      await tui.waitFor(/checkout_flow/);
      tui.keys('?');
      let screen = await tui.waitFor(/-- \d+ more lines? below: j, PgDn or G --/);
      assert.match(screen, /tracetop keys — Esc or \? closes {2}lines 1-\d+ of \d+/);
      assert.ok(screen.split('\n').every((line) => line.length <= size.width));
      tui.keys('j');
      await tui.waitFor(/lines 2-/);
      tui.keys('PageDown');
      await tui.waitFor((s) => /lines (\d+)-/.test(s) && Number(/lines (\d+)-/.exec(s)![1]) > 2);
      tui.keys('G');
      screen = await tui.waitFor(/-- end of the keys/);
      const last = KEYMAP.at(-1)!;
      assert.ok(screen.includes(`${last.keys.join(' ')} `) && screen.includes(last.description.split(' ').slice(0, 2).join(' ')), `the last key (${last.keys.join(' ')}) on the last page:\n${screen}`);
      tui.keys('g');
      await tui.waitFor(/lines 1-/);
      tui.keys('Escape');
      await tui.waitFor(/TIME\s+NAME/);
      tui.keys('q');
      await tui.waitFor(/\[exited 0\]/);
    });

    it(`${at}: columns follow the content; a quick-label score shows at once, as true/false`, async () => {
      const tui = start([], size);
      const screen = await tui.waitFor(/checkout_flow/);
      const lines = screen.split('\n');
      assert.ok(lines.every((line) => line.length <= size.width), 'nothing wider than the terminal');
      const header = lines.find((line) => /TIME\s+NAME/.test(line))!;
      // NAME is as wide as the longest name on screen (checkout_flow), not padded with blanks.
      const nameWidth = header.indexOf('USER') - header.indexOf('NAME') - 1;
      if (size.width >= 120) assert.equal(nameWidth, 'checkout_flow'.length, header);
      else assert.ok(nameWidth <= 'checkout_flow'.length, header);
      if (size.width >= 120) {
        for (const whole of ['sess_0001', 'sess_0002', 'production,rag']) assert.ok(screen.includes(whole), `${whole} whole at ${at}:\n${screen}`);
        assert.ok(!/sess_0~|produ~/.test(screen));
      }
      tui.keys('L');
      await tui.waitFor(/1\s+resolved/);
      tui.keys('1');
      await tui.waitFor(/LABEL resolved/);
      tui.keys('n');
      const labelled = await tui.waitFor(/resolved false\*|resolved false\b/);
      assert.ok(!/resolved 0\b/.test(labelled));
      tui.keys('Escape', 'q');
      await tui.waitFor(/\[exited 0\]/);
    });

    it(`${at}: the detail pane shows an error's status message whole and no link to a page that does not exist`, async () => {
      const tui = start([], size);
      await tui.waitFor(/checkout_flow/);
      tui.keys('/', 'C-u');
      tui.keys('-l', 'name:checkout_flow');
      tui.keys('Enter');
      await tui.waitFor(/filter: name:checkout_flow/);
      await tui.waitFor(/^\d\d:\d\d:\d\d checkout_flow/m);
      tui.keys('Enter');
      await tui.waitFor(/vector_search/);
      // The error row is marked in its first column, with or without colour.
      assert.match(tui.screen(), /^! *[-+ ] R vector_search/m);
      tui.keys('j');
      if (size.width < 100) tui.keys('Tab');
      const screen = await tui.waitFor(/status\s+vector index/);
      const words = screen.replace(/\|/g, ' ').split(/\s+/);
      for (const word of STATUS.split(' ')) assert.ok(words.includes(word), `"${word}" of the status message on screen:\n${screen}`);
      tui.keys(size.width < 100 ? 'Tab' : 'k');
      if (size.width < 100) tui.keys('k', 'Tab');
      const traceDetail = await tui.waitFor(/spans\s+1/);
      assert.ok(!traceDetail.includes('/project/'), 'no link: tracetop serve has no trace pages');
      tui.keys('q');
      await tui.waitFor(/\[exited 0\]/);
    });
  }

  it('NO_COLOR=1: the demo writes no colour sequence; the selection, cursor and focused pane show in reverse video', async () => {
    const raw = join(home.path, 'no-color.bytes');
    const tui = startTmux(['--demo'], { env: { XDG_DATA_HOME: home.path, XDG_STATE_HOME: home.path, XDG_CONFIG_HOME: home.path, NO_COLOR: '1' }, width: 120, height: 30 });
    sessions.push(tui);
    // Every byte the TUI writes, as the terminal receives it.
    execFileSync('tmux', ['pipe-pane', '-o', '-t', tui.name, `cat >> '${raw}'`]);
    await tui.waitFor(/rag_pipeline[\s\S]*rag_pipeline[\s\S]*● live/, 15_000);
    // The newest row is selected: in reverse video. j pauses the list on the next row (so no
    // new trace moves the selection before Enter).
    await until(() => /^\d\d:\d\d:\d\d \S+/.test(selectedLine(tui) ?? ''), 'a selected row');
    tui.keys('j');
    await until(() => {
      const lines = tui.styledScreen().split('\n');
      const header = lines.findIndex((line) => /TIME\s+NAME/.test(line));
      return header >= 0 && /\x1b\[(?:[\d;]*;)?7(?:;[\d;]*)?m/.test(lines[header + 2] ?? '') && /PAUSED/.test(tui.screen());
    }, 'the second row selected, the list paused');
    const name = /^\d\d:\d\d:\d\d (\S+)/.exec(selectedLine(tui)!)?.[1];
    assert.ok(name, `a trace row selected: ${selectedLine(tui)}`);
    tui.keys('Enter');
    await until(() => new RegExp(`[-+] ${name}`).test(selectedLine(tui) ?? ''), 'the tree cursor (on the trace row) in reverse video', 10_000, () => `${name}\n${tui.styledScreen()}`);
    // The focused detail pane: its rule in reverse video (the tree's cursor is not drawn then).
    tui.keys('Tab');
    await until(() => selectedLine(tui)?.includes('|') ?? false, 'the focused pane marked');
    tui.keys('?');
    await tui.waitFor(/tracetop keys/);
    tui.keys('Escape', 'Escape', 'q');
    await tui.waitFor(/\[exited 0\]/);
    assert.ok(existsSync(raw));
    const bytes = readFileSync(raw, 'utf8');
    const sgr = [...bytes.matchAll(/\x1b\[([\d;:]*)m/g)].map((match) => match[1]!);
    assert.ok(sgr.length > 0, 'styles were written');
    const colours = sgr.filter((params) => params.split(/[;:]/).some((param) => /^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$/.test(param)));
    assert.deepEqual(colours.slice(0, 5), [], 'no colour sequence at all');
    assert.ok(sgr.some((params) => params.split(';').includes('7')), 'reverse video marks the selection');
  });
});
