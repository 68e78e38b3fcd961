// Everyday-fit features as a person meets them: redaction for screen-sharing, copying an id
// over SSH (OSC 52), `config doctor`, and colour only where wanted.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasTmux, startTmux, type TmuxSession } from '../helpers/tmux.js';
import { runCli } from '../helpers/cli.js';
import { startTestServer, TEST_KEYS, tempDir, type TestServer } from '../helpers/server.js';
import { osc52 } from '../../src/ui/clipboard.js';
import { readdirSync } from 'node:fs';

const SECRETS = ['patient-jane-doe-1987', 'card 4111-1111-1111-1111', 'u_jane_private', 'sess_private_77', 'ssn 078-05-1120'];

describe('everyday fit', () => {
  let server: TestServer;
  const home = tempDir();
  const sessions: TmuxSession[] = [];
  const env = () => ({ XDG_DATA_HOME: home.path, XDG_STATE_HOME: home.path, XDG_CONFIG_HOME: home.path, LANGFUSE_BASE_URL: server.url, LANGFUSE_PUBLIC_KEY: TEST_KEYS.publicKey, LANGFUSE_SECRET_KEY: TEST_KEYS.secretKey });

  before(async () => {
    server = await startTestServer();
    const at = new Date().toISOString();
    await server.post('/api/public/ingestion', {
      batch: [
        { id: 'r1', type: 'trace-create', timestamp: at, body: { id: 'pii-trace', name: 'support_answer', userId: SECRETS[2], sessionId: SECRETS[3], input: { question: `my name is ${SECRETS[0]}` }, output: { answer: `charged ${SECRETS[1]}` }, metadata: { note: SECRETS[4] } } },
        { id: 'r2', type: 'generation-create', timestamp: at, body: { id: 'pii-gen', traceId: 'pii-trace', name: 'generate', startTime: at, endTime: at, input: [{ role: 'user', content: SECRETS[0] }], output: { content: SECRETS[1] }, level: 'ERROR', statusMessage: 'upstream timeout' } },
        { id: 'r3', type: 'score-create', timestamp: at, body: { traceId: 'pii-trace', name: 'groundedness', value: 0.4 } },
      ],
    });
  });
  after(async () => {
    for (const session of sessions) session.kill();
    await server.close();
    home.remove();
  });

  it('--redact hides every payload value and user/session id, keeps structure, timings, levels and scores', { skip: hasTmux ? false : 'tmux is not installed' }, async () => {
    const tui = startTmux(['--redact'], { env: env(), width: 140, height: 40 });
    sessions.push(tui);
    let screen = await tui.waitFor(/support_answer/);
    await tui.waitFor(/REDACTED/);
    tui.keys('Enter');
    screen = await tui.waitFor(/"question": "‹redacted›"/);
    for (const line of ['j', 'j']) {
      for (const secret of SECRETS) assert.ok(!screen.includes(secret), `${secret} on screen:\n${screen}`);
      assert.match(screen, /upstream timeout/);
      tui.keys(line);
      screen = await tui.waitFor(/./);
    }
    screen = await tui.waitFor(/"content": "‹redacted›"/);
    for (const secret of SECRETS) assert.ok(!screen.includes(secret), secret);
    tui.keys('Escape');
    await tui.waitFor(/TIME\s+NAME/);
    tui.keys('C');
    screen = await tui.waitFor(/Sessions \(1\)/);
    for (const secret of SECRETS) assert.ok(!screen.includes(secret), secret);
    // R turns it off again.
    tui.keys('Escape');
    await tui.waitFor(/TIME\s+NAME/);
    tui.keys('R');
    await tui.waitFor(/redaction off/);
    tui.keys('Enter');
    await tui.waitFor(new RegExp(SECRETS[0]!));
    tui.keys('q');
    await tui.waitFor(/\[exited 0\]/);
  });

  it('get --redact (text and JSON) shows no payload string', async () => {
    for (const args of [['get', 'pii-trace', '--redact'], ['get', 'pii-trace', '--redact', '--json']]) {
      const result = await runCli(args, env());
      assert.equal(result.code, 0, result.stderr);
      for (const secret of SECRETS) assert.ok(!result.stdout.includes(secret), `${args.join(' ')}: ${secret}`);
      assert.match(result.stdout, /‹redacted›/);
    }
  });

  it('--redact masks personal data in the names and status messages it keeps visible', async () => {
    // An hour old: the newest trace (selected first in the TUI tests) stays pii-trace.
    const at = new Date(Date.now() - 3_600_000).toISOString();
    await server.post('/api/public/ingestion', {
      batch: [
        { id: 'p1', type: 'trace-create', timestamp: at, body: { id: 'pii-status', name: 'reply to bob@example.com', timestamp: at, tags: ['ops'] } },
        { id: 'p2', type: 'span-create', timestamp: at, body: { id: 'pii-span', traceId: 'pii-status', name: 'call +1 415 555 0134', startTime: at, level: 'ERROR', statusMessage: 'card 4111 1111 1111 1111 declined for bob@example.com (key sk-live-abcdef0123456789XYZ)' } },
      ],
    });
    for (const args of [['get', 'pii-status', '--redact'], ['get', 'pii-status', '--redact', '--json']]) {
      const result = await runCli(args, env());
      assert.equal(result.code, 0, result.stderr);
      for (const secret of ['bob@example.com', '415 555 0134', '4111 1111 1111 1111', 'sk-live-abcdef']) assert.ok(!result.stdout.includes(secret), `${args.join(' ')}: ${secret}`);
      assert.match(result.stdout, /card ‹card› declined for ‹email› \(key ‹key›\)/);
      assert.match(result.stdout, /call ‹phone›/);
    }
  });

  it('a demo run leaves no score queue in the state directory', { skip: hasTmux ? false : 'tmux is not installed' }, async () => {
    const state = tempDir();
    try {
      const tui = startTmux(['--demo'], { env: { XDG_DATA_HOME: home.path, XDG_STATE_HOME: state.path, XDG_CONFIG_HOME: home.path }, width: 120, height: 24 });
      sessions.push(tui);
      await tui.waitFor(/rag_pipeline/, 20_000);
      tui.keys('q');
      await tui.waitFor(/\[exited 0\]/);
      const left = readdirSync(state.path, { recursive: true }).map(String).filter((name) => /scores-/.test(name));
      assert.deepEqual(left, []);
    } finally {
      state.remove();
    }
  });

  it('y copies the selected id with OSC 52 (wrapped inside tmux) and says so', { skip: hasTmux ? false : 'tmux is not installed' }, async () => {
    assert.equal(osc52('abc', {}), '\x1b]52;c;YWJj\x07');
    assert.equal(osc52('abc', { TMUX: '/tmp/tmux' }), '\x1bPtmux;\x1b\x1b]52;c;YWJj\x07\x1b\\');
    const tui = startTmux([], { env: env(), width: 120, height: 20 });
    sessions.push(tui);
    await tui.waitFor(/support_answer/);
    tui.keys('y');
    await tui.waitFor(/copied trace id pii-trace/);
    tui.keys('q');
    await tui.waitFor(/\[exited 0\]/);
  });

  it('config doctor reports the host, generation and stream without secrets; a wrong key says so', async () => {
    const good = await runCli(['config', 'doctor'], env());
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /reachable\s+yes, Langfuse 3\.225\.4\+tracetop\.stream/);
    assert.match(good.stdout, /live updates\s+stream/);
    assert.match(good.stdout, /keys\s+accepted/);
    assert.ok(!good.stdout.includes(TEST_KEYS.secretKey));
    const bad = await runCli(['config', 'doctor'], { ...env(), LANGFUSE_SECRET_KEY: 'sk-lf-wrong-and-secret' });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /problem\s+401 from .*check LANGFUSE_PUBLIC_KEY\/LANGFUSE_SECRET_KEY/);
    assert.ok(!bad.stdout.includes('sk-lf-wrong-and-secret'));
  });

  it('NO_COLOR and --no-color keep escape codes out of the TUI', { skip: hasTmux ? false : 'tmux is not installed' }, async () => {
    const tui = startTmux(['--no-color'], { env: env(), width: 120, height: 20 });
    sessions.push(tui);
    await tui.waitFor(/support_answer/);
    // A colour is SGR 30–38, 40–48, 90–97 or 100–107; 39/49 only reset to the terminal's own.
    const COLOUR = /\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m/;
    assert.ok(!COLOUR.test(tui.styledScreen()), 'no foreground colours');
    // Without colour the waterfall is drawn with glyphs, not painted cells.
    tui.keys('Enter');
    await tui.waitFor(/G generate\b.*█/);
    assert.ok(!COLOUR.test(tui.styledScreen()), 'no colours in the trace view');
    tui.keys('q');
    await tui.waitFor(/\[exited 0\]/);
  });
});
