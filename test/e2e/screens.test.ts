// The slice screens in the real binary in tmux, against the embedded server seeded through the
// official SDKs: `:datasets` → runs → comparison → a run item's trace → back to the same row;
// `:prompts` → versions → text → diff; `:top` by name, model, prompt, and a drill-down; at
// 80x24 and 120x40, and without colour.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasTmux, startTmux, type TmuxSession } from '../helpers/tmux.js';
import { startTestServer, TEST_KEYS, tempDir, type TestServer } from '../helpers/server.js';
import { runExperiment, seedAll, seedTraffic } from './screens-seed.js';

const skip = hasTmux ? false : 'tmux is not installed';

/** The screen line holding `text`, with its styles (SGR escapes). */
const styledLine = (session: TmuxSession, text: string) => session.styledScreen().split('\n').find((line) => line.includes(text)) ?? '';
const REVERSE = /\x1b\[(?:[\d;]*;)?7m/;

describe('the slice screens in tmux', { skip }, () => {
  let server: TestServer;
  const home = tempDir();
  const sessions: TmuxSession[] = [];
  const env = (extra: Record<string, string> = {}) => ({
    XDG_DATA_HOME: home.path,
    XDG_STATE_HOME: home.path,
    XDG_CONFIG_HOME: home.path,
    LANGFUSE_PUBLIC_KEY: TEST_KEYS.publicKey,
    LANGFUSE_SECRET_KEY: TEST_KEYS.secretKey,
    LANGFUSE_BASE_URL: server.url,
    ...extra,
  });
  const start = (width: number, height: number, extra: Record<string, string> = {}) => {
    const tui = startTmux([], { env: env(extra), width, height });
    sessions.push(tui);
    return tui;
  };

  before(async () => {
    server = await startTestServer();
    await seedAll({ url: server.url, ...TEST_KEYS });
  });
  after(async () => {
    for (const session of sessions) session.kill();
    await server.close();
    home.remove();
  });

  for (const [width, height] of [
    [120, 40],
    [80, 24],
  ] as const) {
    it(`${width}x${height}: :datasets -> runs -> comparison -> Enter opens the item's trace -> Esc returns to the same row`, async () => {
      const tui = start(width, height, { FORCE_COLOR: '1' });
      await tui.waitFor(/checkout_help/);
      // Typed in one go, Enter included: no key is lost while the command line opens.
      tui.keys('-l', ':datas');
      tui.keys('Tab');
      await tui.waitFor(/:datasets/);
      tui.keys('Enter');
      await tui.waitFor(/Datasets \(1\)[\s\S]*capital-cities\s+6\s+2\s+capitals-v2 /);
      tui.keys('Enter');
      const runs = await tui.waitFor(/capital-cities: runs \(2\), newest first[\s\S]*capitals-v2[\s\S]*capitals-baseline/);
      assert.ok(runs.indexOf('capitals-v2') < runs.lastIndexOf('capitals-baseline'), 'newest first');
      assert.match(runs, /capitals-v2\s+\S+\s+6\s+0\.83\s+0\.83/);
      tui.keys('Enter');
      const compare = await tui.waitFor(/base capitals-baseline \(6\) -> new capitals-v2 \(6\)/);
      assert.match(compare, /improved 2[\s|]+regressed 1 \| unchanged 3/);
      assert.match(compare, /mean_accuracy 0\.67>0\.83 \+0\.17/);
      // Marks without colour, and colour repeating them: the regression red, improvements green.
      const japan = compare.split('\n').find((line) => line.includes('Japan'))!;
      assert.match(japan, /^- /);
      assert.match(japan, /1>0 -1/);
      assert.match(compare.split('\n').find((line) => line.includes('Australia'))!, /^\+ .*0>1 \+1/);
      assert.match(styledLine(tui, 'Japan'), /\x1b\[(?:[\d;]*;)?31m/);
      assert.match(styledLine(tui, 'Australia'), /\x1b\[(?:[\d;]*;)?32m/);
      // r: regressions only; again: all.
      tui.keys('r');
      await tui.waitFor((screen) => /1\/6 items \| regressed only/.test(screen) && !screen.includes('Australia"'));
      tui.keys('r');
      await tui.waitFor(/6\/6 items \| all/);
      // The filter put the selection on the regression, and it stays there when all items show again.
      await tui.waitFor(() => REVERSE.test(styledLine(tui, '"Japan"')));
      tui.keys('g', 'j', 'j', 'j', 'j');
      await tui.waitFor(() => REVERSE.test(styledLine(tui, '"Japan"')) && !REVERSE.test(styledLine(tui, '"Canada"')));
      tui.keys('Enter');
      await tui.waitFor(/S experiment-item-run/);
      // Narrow terminals show the detail pane on Tab.
      if (width < 100) tui.keys('Tab');
      await tui.waitFor(/"country": "Japan"/);
      tui.keys('Escape');
      await tui.waitFor(/base capitals-baseline \(6\) -> new capitals-v2/);
      await tui.waitFor(() => REVERSE.test(styledLine(tui, '"Japan"')));
      assert.doesNotMatch(styledLine(tui, '"France"'), REVERSE, 'only the row we left is selected');
      const lines = tui.screen().trimEnd().split('\n');
      assert.ok(lines.length <= height && lines.every((line) => line.length <= width), 'nothing outside the terminal');
      tui.keys('q');
      await tui.waitFor(/\[exited 0\]/);
    });
  }

  it('NO_COLOR=1: regressions and improvements are still marked, and the sort by delta puts the regression first', async () => {
    const tui = start(80, 24, { NO_COLOR: '1' });
    await tui.waitFor(/checkout_help/);
    tui.keys(':datasets capital-cities', 'Enter');
    await tui.waitFor(/capital-cities: runs \(2\)/);
    tui.keys('Enter');
    await tui.waitFor(/improved 2[\s|]+regressed 1/);
    assert.doesNotMatch(tui.styledScreen(), /\x1b\[(?:[\d;]*;)?3[0-7]m/, 'no colour at all');
    tui.keys('d');
    const sorted = await tui.waitFor(/sort: change in exact_match, worst first/);
    const rows = sorted.split('\n').filter((line) => /^[-+? ] \{"country"/.test(line));
    assert.match(rows[0]!, /^- \{"country":"Japan"\}.*1>0 -1/);
    assert.match(rows.at(-1)!, /^\+ /);
    tui.keys('q');
    await tui.waitFor(/\[exited 0\]/);
  });

  it('80x24: :prompts -> versions with per-version figures -> text -> d diff -> t traces of the version', async () => {
    const tui = start(80, 24, { NO_COLOR: '1' });
    await tui.waitFor(/checkout_help/);
    tui.keys(':prompts', 'Enter');
    await tui.waitFor(/Prompts \(1\)[\s\S]*support-agent\s+text\s+2 \(v2\)/);
    tui.keys('Enter');
    const versions = await tui.waitFor(/support-agent: versions \(2\) \| last 24h \| metrics as of \d\d:\d\d:\d\d \(live\)[\s\S]*v1 .*"terse/);
    assert.match(versions, /v2\s+\[production\] \[la.*"polite.*\s4\s+50%/);
    assert.match(versions, /v1\s+"terse.*\s6\s+0%/);
    tui.keys('Enter');
    await tui.waitFor(/support-agent v2 \(text\) \[production\] \[latest\][\s\S]*Cite the documents\./);
    tui.keys('d');
    const diff = await tui.waitFor(/support-agent v1 -> v2/);
    assert.match(diff, /^- Answer \{\{question\}\} for \{\{company\}\}\.$/m);
    assert.match(diff, /^\+ Answer \{\{question\}\} \{\+politely \+\}for \{\{company\}\}\.$/m);
    assert.match(diff, /^ {2}Be brief\.$/m);
    assert.match(diff, /^\+ Cite the documents\.$/m);
    tui.keys('t');
    const list = await tui.waitFor((screen) => screen.includes('filter: prompt:support-agent@2') && screen.includes('checkout_help'));
    assert.match(list, /checkout_help/);
    assert.doesNotMatch(list, /support_chat/);
    tui.keys('Escape');
    await tui.waitFor((screen) => /support-agent v1 -> v2/.test(screen) && !screen.includes('filter:'));
    tui.keys('q');
    await tui.waitFor(/\[exited 0\]/);
  });

  it('120x40: :top by name, b cycles to model and prompt, Enter drills into the group, Esc comes back', async () => {
    const tui = start(120, 40);
    await tui.waitFor(/checkout_help/);
    // The trace list's header: the window's rate, errors and p95.
    await tui.waitFor((screen) => /^15m: 22 traces {2}[\d.]+\/min {2}err [\d.]+% {2}p95 /.test(screen.split('\n')[0]!));
    tui.keys(':top', 'Enter');
    const byName = await tui.waitFor(/top by name \| last 15m/);
    assert.match(byName, /support_chat\s+6\s/);
    assert.match(byName, /checkout_help\s+4\s+[\d.]+\s+50%/);
    // Live: traffic that arrives now shows up, as a group new in the window.
    await seedTraffic({ url: server.url, ...TEST_KEYS }, { name: 'fresh_group', model: 'gpt-4o-mini', version: 1, count: 3, errors: 0, prefix: 'fresh' });
    await tui.waitFor(/NEW\s+fresh_group\s+3\s/);
    tui.keys('b');
    const byModel = await tui.waitFor(/top by model[\s\S]*claude-haiku/);
    assert.match(byModel, /gpt-4o-mini\s+9\s/);
    assert.match(byModel, /claude-haiku\s+4\s+[\d.]+\s+50%/);
    tui.keys('b');
    await tui.waitFor(/top by prompt[\s\S]*support-agent@1\s+9[\s\S]*support-agent@2\s+4/);
    tui.keys('j', 'Enter');
    const drilled = await tui.waitFor((screen) => screen.includes('filter: since:15m prompt:support-agent@2') && screen.includes('checkout_help'));
    assert.match(drilled, /checkout_help/);
    assert.doesNotMatch(drilled, /support_chat/);
    tui.keys('Escape');
    await tui.waitFor((screen) => /top by prompt/.test(screen) && !screen.includes('filter:'));
    await tui.waitFor(() => REVERSE.test(styledLine(tui, 'support-agent@2')));
    tui.keys('q');
    await tui.waitFor(/\[exited 0\]/);
  });

  // Last: it adds a run to the dataset the tests above count.
  it('a run that starts while its dataset is on screen fills in live', async () => {
    const tui = start(120, 40);
    await tui.waitFor(/checkout_help/);
    tui.keys(':datasets capital-cities', 'Enter');
    await tui.waitFor(/capital-cities: runs \(2\)/);
    await runExperiment({ url: server.url, ...TEST_KEYS }, 'capitals-v3', {});
    const runs = await tui.waitFor(/capital-cities: runs \(3\)[\s\S]*capitals-v3[\s\S]*capitals-v2[\s\S]*capitals-baseline/, 20_000);
    assert.match(runs, /capitals-v3\s+\S+\s+6\s+1\s+1/);
    tui.keys('q');
    await tui.waitFor(/\[exited 0\]/);
  });
});
