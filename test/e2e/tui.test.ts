// The real binary in tmux against the embedded server: what an engineer at a terminal sees.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasTmux, startTmux, type TmuxSession } from '../helpers/tmux.js';
import { startTestServer, TEST_KEYS, tempDir, type TestServer } from '../helpers/server.js';
import { ragTrace } from '../helpers/ingest.js';

const skip = hasTmux ? false : 'tmux is not installed';

describe('tracetop in tmux', { skip }, () => {
  let server: TestServer;
  const home = tempDir();
  const sessions: TmuxSession[] = [];
  const env = () => ({ XDG_DATA_HOME: home.path, XDG_STATE_HOME: home.path, XDG_CONFIG_HOME: home.path, LANGFUSE_PUBLIC_KEY: TEST_KEYS.publicKey, LANGFUSE_SECRET_KEY: TEST_KEYS.secretKey, LANGFUSE_BASE_URL: server.url });

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    for (const session of sessions) session.kill();
    await server.close();
    home.remove();
  });

  it('streams new traces in, opens the tree, collapses, shows detail, quits cleanly', async () => {
    await server.post('/api/public/ingestion', { batch: ragTrace('existing-1', { name: 'history_trace', userId: 'u_7' }) });
    // Colour as in a terminal outside CI (chalk turns it off when CI is set).
    const tui = startTmux([], { env: { ...env(), FORCE_COLOR: '1' }, width: 120, height: 40 });
    sessions.push(tui);
    await tui.waitFor(/history_trace/);
    await tui.waitFor(/● live/);
    await server.post('/api/public/ingestion', { batch: ragTrace('fresh-1', { name: 'support_answer', userId: 'u_42', error: true }) });
    const screen = await tui.waitFor(/support_answer/);
    const lines = screen.split('\n');
    assert.ok(lines.findIndex((line) => line.includes('support_answer')) < lines.findIndex((line) => line.includes('history_trace')), 'newest on top');
    assert.match(screen, /support_answer.*u_42.*1E/);

    tui.keys('Enter');
    await tui.waitFor(/R vector_search/);
    let tree = await tui.waitFor(/G generate_response/);
    assert.match(tree, /"question": "q-fresh-1"/);
    // The waterfall: cells painted in the bar colour (cyan background) on the span rows.
    assert.match(tui.styledScreen().split('\n').find((line) => line.includes('generate_response'))!, /\x1b\[(?:[\d;]*;)?(?:46|41)m {2,}/);
    tui.keys('c');
    tree = await tui.waitFor((s) => !s.includes('vector_search'));
    tui.keys('e', 'j', 'j');
    tree = await tui.waitFor(/model\s+gpt-4o-mini/);
    assert.match(tree, /status\s+upstream timeout/);
    tui.keys('Escape');
    await tui.waitFor(/TIME\s+NAME/);
    tui.keys('q');
    const after = await tui.waitFor(/\[exited 0\]/);
    assert.doesNotMatch(after, /TIME\s+NAME/, 'the alternate screen is gone');
  });

  it('is usable at 40×15', async () => {
    for (let i = 0; i < 30; i++) await server.post('/api/public/ingestion', { batch: ragTrace(`small-${i}`, { name: `narrow_${i}` }) });
    const tui = startTmux([], { env: env(), width: 40, height: 15 });
    sessions.push(tui);
    const screen = await tui.waitFor(/narrow_29/);
    const lines = screen.trimEnd().split('\n');
    assert.ok(lines.length <= 15);
    // The column header first (after the one-line summary, where there is one).
    assert.ok(lines.slice(0, 2).some((line) => /TIME\s+NAME/.test(line)), screen);
    assert.ok(lines.every((line) => line.length <= 40), 'nothing wider than the terminal');
    await tui.waitFor(/● live/);
    tui.keys('Enter');
    await tui.waitFor(/vector_search/);
    tui.keys('Tab');
    await tui.waitFor(/user\s+u_1/);
    tui.keys('q');
    await tui.waitFor(/\[exited 0\]/);
  });

  it('--demo shows live demo traffic with no keys and no host', async () => {
    const tui = startTmux(['--demo'], { env: { XDG_DATA_HOME: home.path, XDG_STATE_HOME: home.path, XDG_CONFIG_HOME: home.path }, width: 120, height: 30 });
    sessions.push(tui);
    const screen = await tui.waitFor(/rag_pipeline[\s\S]*rag_pipeline[\s\S]*● live/, 15_000);
    assert.match(screen, /groundedness/);
    // The sessions screen replays a multi-turn conversation.
    tui.keys('C');
    await tui.waitFor(/Sessions \(\d+\)/);
    tui.keys('Enter');
    const conversation = await tui.waitFor(/Session sess_\d+ — \d+ turns? —[\s\S]*› \S/);
    assert.match(conversation, /‹ /);
    tui.keys('Enter');
    // The turn's trace: its tree (a type letter before each observation).
    await tui.waitFor(/[-+ ] [SGTARECM] \w+/);
    tui.keys('q');
    await tui.waitFor(/\[exited 0\]/);
  });
});

describe('filters in tmux', { skip }, () => {
  let server: TestServer;
  const home = tempDir();
  const sessions: TmuxSession[] = [];
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    for (const session of sessions) session.kill();
    await server.close();
    home.remove();
  });

  it('--tag production --score groundedness<0.5 shows only matching traces as they arrive; / edits the filter live', async () => {
    const env = { XDG_DATA_HOME: home.path, XDG_STATE_HOME: home.path, XDG_CONFIG_HOME: home.path, LANGFUSE_PUBLIC_KEY: TEST_KEYS.publicKey, LANGFUSE_SECRET_KEY: TEST_KEYS.secretKey, LANGFUSE_BASE_URL: server.url };
    const send = async (id: string, tags: string[], groundedness: number) => {
      await server.post('/api/public/ingestion', {
        batch: [...ragTrace(id, { name: id, tags }), { id: `${id}-score`, type: 'score-create', timestamp: new Date().toISOString(), body: { traceId: id, name: 'groundedness', value: groundedness } }],
      });
    };
    await send('old_bad_prod', ['production'], 0.2);
    await send('old_good_prod', ['production'], 0.9);
    const tui = startTmux(['--tag', 'production', '--score', 'groundedness<0.5'], { env, width: 120, height: 30 });
    sessions.push(tui);
    await tui.waitFor(/old_bad_prod/);
    await tui.waitFor(/filter: tag:production score:groundedness<0\.5/);
    await send('new_bad_prod', ['production'], 0.1);
    await send('new_bad_staging', ['staging'], 0.1);
    await send('new_good_prod', ['production'], 0.95);
    let screen = await tui.waitFor(/new_bad_prod/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    screen = tui.screen();
    for (const absent of ['old_good_prod', 'new_bad_staging', 'new_good_prod']) assert.ok(!screen.includes(absent), `${absent} must not show:\n${screen}`);

    tui.keys('/');
    await tui.waitFor(/\/tag:production score:groundedness<0\.5/);
    tui.keys('C-u');
    tui.keys('-l', 'tag:staging');
    await tui.waitFor(/1 buffered match|0 buffered match/);
    tui.keys('Enter');
    screen = await tui.waitFor(/new_bad_staging/);
    await tui.waitFor(/filter: tag:staging/);
    assert.ok(!tui.screen().includes('old_bad_prod'));
    tui.keys('/');
    tui.keys('-l', ' usr:x');
    await tui.waitFor(/unknown key "usr"/);
    tui.keys('Escape');
    await tui.waitFor((s) => !s.includes('unknown key'));
    tui.keys('q');
    await tui.waitFor(/\[exited 0\]/);
  });

  it('a malformed filter flag fails fast with the accepted forms', async () => {
    const tui = startTmux(['--score', 'groundedness<<1'], { env: { XDG_DATA_HOME: home.path, LANGFUSE_BASE_URL: server.url, LANGFUSE_PUBLIC_KEY: TEST_KEYS.publicKey, LANGFUSE_SECRET_KEY: TEST_KEYS.secretKey }, width: 120, height: 20 });
    sessions.push(tui);
    const screen = await tui.waitFor(/\[exited 2\]/);
    assert.match(screen, /--score: .*needs a value/);
    assert.match(screen, /Accepted forms: tag:production/);
  });
});
