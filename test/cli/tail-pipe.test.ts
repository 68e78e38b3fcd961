// `tracetop tail --json --since 1h | head -1` against a quiet project: head takes its line and
// goes; tail must end then too, not at the next trace (which may be minutes away). Through the
// real binary and a real pipe, and no trace is sent after the first.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN } from '../helpers/cli.js';
import { backendEnv, startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { ragTrace } from '../helpers/ingest.js';

describe('tail | head on a quiet project', () => {
  let server: TestServer;
  const home = tempDir();

  before(async () => {
    server = await startTestServer();
    await server.post('/api/public/ingestion', { batch: ragTrace('quiet-1', { userId: 'u_quiet' }) });
  });
  after(async () => {
    await server.close();
    home.remove();
  });

  for (const json of [true, false]) {
    it(`tail${json ? ' --json' : ''} --since 1h | head -1 ends once head has its line, with no further trace`, async () => {
      const args = json ? 'tail --json --since 1h' : 'tail --since 1h';
      const pipeline = spawn('/bin/sh', ['-c', `"${process.execPath}" "${BIN}" ${args} | head -1; echo "pipeline $?"`], {
        env: { ...process.env, ...backendEnv(home.path, server.url) },
      });
      let out = '';
      let err = '';
      pipeline.stdout.on('data', (chunk) => (out += chunk));
      pipeline.stderr.on('data', (chunk) => (err += chunk));
      const code = await new Promise<number | null>((resolve) => pipeline.on('exit', resolve));
      assert.equal(code, 0);
      const [line, status] = out.trim().split('\n');
      if (json) assert.equal(JSON.parse(line!).id, 'quiet-1');
      else assert.match(line!, /rag_pipeline|quiet-1/);
      assert.equal(status, 'pipeline 0');
      assert.doesNotMatch(err, /EPIPE|Error|\n\s+at /, 'no EPIPE or stack trace on stderr');
    });
  }
});
