// The issue's own trial, as a user runs it: `tracetop tail --json --tag production --since 2h`
// against a Cloud-like server (the v2 twin, with the hobby rate limit) holding 50 production
// traces behind 550 newer staging ones prints all 50, and says on stderr how much history it read.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCli } from '../helpers/cli.js';
import { backendEnv, startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { ragTrace } from '../helpers/ingest.js';

for (const readApi of ['v1', 'v2'] as const) {
  describe(`tail --json --tag production --since 2h over ${readApi}`, () => {
    let server: TestServer;
    const home = tempDir();
    before(async () => {
      server = await startTestServer({ readApi, streamEnabled: false, rateLimit: 'hobby' });
      const start = Date.now() - 30 * 60_000;
      const batch: unknown[] = [];
      for (let i = 0; i < 600; i++) batch.push(...ragTrace(`tl-${i}`, { at: new Date(start + i * 2_000), tags: [i < 50 ? 'production' : 'staging'] }));
      assert.equal((await server.post('/api/public/ingestion', { batch })).status, 207);
    });
    after(async () => {
      await server.close();
      home.remove();
    });

    it('prints all 50 production traces and says the history is whole', async () => {
      const tail = startCli(['tail', '--json', '--tag', 'production', '--since', '2h'], { ...backendEnv(home.path, server.url), TRACETOP_BUDGET: 'hobby' });
      await tail.waitFor(/tracetop: history: 50 traces in the last 2h/, 30_000);
      await tail.stop();
      const lines = tail.output().split('\n').filter((line) => line.startsWith('{'));
      const ids = new Set(lines.map((line) => (JSON.parse(line) as { id: string }).id));
      assert.equal(ids.size, 50);
      for (let i = 0; i < 50; i++) assert.ok(ids.has(`tl-${i}`), `tl-${i}`);
      assert.ok(!/429|rate limit/.test(tail.output()), 'no 429 and no wait within the hobby budget');
    });
  });
}
