// `tracetop` on a terminal that cannot draw (TERM=dumb): it says why, prints the live list as
// lines — no cursor addressing, no colour, no escape at all — and `label` refuses with a reason.
// A real pseudo-terminal (util-linux `script`), so stdout is a TTY as for a person.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { BIN } from '../helpers/cli.js';
import { backendEnv, startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { ragTrace } from '../helpers/ingest.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** Runs tracetop on a pty until `until` shows (then SIGTERM) or it exits; all bytes written. */
function onPty(args: string[], env: NodeJS.ProcessEnv, until: RegExp): Promise<string> {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, ...env } });
  let out = '';
  return new Promise((resolve) => {
    const check = () => {
      if (until.test(out)) child.kill('SIGTERM');
    };
    child.stdout.on('data', (chunk) => {
      out += chunk;
      check();
    });
    child.on('exit', () => resolve(out));
  });
}

describe('TERM=dumb', { skip: hasScript ? false : 'util-linux script is not installed' }, () => {
  let server: TestServer;
  const home = tempDir();
  const env = () => ({ ...backendEnv(home.path, server.url), TERM: 'dumb', NO_COLOR: '' });

  before(async () => {
    server = await startTestServer();
    await server.post('/api/public/ingestion', { batch: ragTrace('dumb-1', { name: 'rag_pipeline', userId: 'u_dumb', error: true }) });
  });
  after(async () => {
    await server.close();
    home.remove();
  });

  it('bare tracetop says why it cannot draw and prints the live list as lines, without a single escape', async () => {
    const out = await onPty([], env(), /rag_pipeline.*u_dumb/);
    assert.match(out, /TERM=dumb: this terminal has no cursor addressing, so the live list is printed as lines/);
    assert.match(out, /rag_pipeline\s+u_dumb/);
    assert.ok(!out.includes('\x1b'), `an escape sequence was written: ${JSON.stringify(out)}`);
  });

  it('label refuses with the reason and exit 1', async () => {
    const out = await onPty(['label', '--queue', 'triage'], env(), /needs-nothing-never/);
    assert.match(out, /tracetop label draws a full screen, and TERM=dumb/);
    assert.ok(!out.includes('\x1b'));
  });
});
