// Generation detection against the strict twin of each Langfuse line: health, then probes that
// tolerate 400/404 and the date-range requirement; the events_only 404 (answered before auth)
// is never read as a bad key.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LangfuseClient } from '../../src/api/client.js';
import { LangfuseApiError } from '../../src/api/http.js';
import { startTestServer, TEST_KEYS, type TestServer } from '../helpers/server.js';

describe('detectBackend', () => {
  const servers: TestServer[] = [];
  const clients: LangfuseClient[] = [];
  const start = async (options: Parameters<typeof startTestServer>[0]) => {
    const server = await startTestServer(options);
    servers.push(server);
    return server;
  };
  const clientFor = (server: TestServer, secretKey = TEST_KEYS.secretKey) => {
    const client = new LangfuseClient({ host: server.url, publicKey: TEST_KEYS.publicKey, secretKey }, { attempts: 1 });
    clients.push(client);
    return client;
  };
  after(async () => {
    for (const client of clients) await client.close();
    for (const server of servers) await server.close();
  });

  it('a self-hosted v3 (v1 reads): /v2/observations 404 "v4 write mode", /traces 200', async () => {
    const info = await clientFor(await start({ readApi: 'v1', streamEnabled: false })).backend();
    assert.equal(info.generation, 'v1');
    assert.equal(info.streams, false);
    assert.match(info.version ?? '', /^3\.225\.4/);
    assert.deepEqual(info.probes.map((probe) => [probe.path, probe.outcome]), [
      ['/api/public/health', 'ok'],
      ['/api/public/v2/observations', 'absent'],
      ['/api/public/traces', 'ok'],
    ]);
    assert.match(info.reason, /GET \/traces answers/);
  });

  it('Cloud / v4 events_only (v2 reads): /traces 404 before auth, /v2/observations 200', async () => {
    const info = await clientFor(await start({ readApi: 'v2', streamEnabled: false })).backend();
    assert.equal(info.generation, 'v2');
    assert.match(info.version ?? '', /^4\.16\.0/);
    assert.match(info.probes.find((probe) => probe.path === '/api/public/traces')!.answer, /404 \(events_only mode\)/);
  });

  it('both generations: v1 reads (the complete trace list), and tracetop announces its stream', async () => {
    const info = await clientFor(await start({})).backend();
    assert.equal(info.generation, 'v1');
    assert.equal(info.streams, true);
    assert.match(info.reason, /both generations answer/);
  });

  it('a server that requires a date range on /traces: the probe sends one; history reads still work', async () => {
    const server = await start({ readApi: 'v1', streamEnabled: false, tracesRequireDateRange: true });
    const bare = await server.get('/api/public/traces?limit=1');
    assert.equal(bare.status, 400, 'the twin refuses /traces without fromTimestamp');
    const client = clientFor(server);
    assert.equal((await client.backend()).generation, 'v1');
    assert.deepEqual(await client.listTraces({ tags: ['x'] }), []);
  });

  it('a bad key against v2: the /traces 404 comes before auth, /v2/observations says 401 — an auth error', async () => {
    const server = await start({ readApi: 'v2', streamEnabled: false });
    const error = await clientFor(server, 'sk-lf-wrong').backend().catch((caught: unknown) => caught);
    assert.ok(error instanceof LangfuseApiError);
    assert.equal(error.kind, 'auth');
    assert.match(error.message, /401 from .*\/v2\/observations.*check LANGFUSE_PUBLIC_KEY/);
  });

  it('a host that is down fails with a network error, not a guess', async () => {
    const client = new LangfuseClient({ host: 'http://127.0.0.1:9', ...TEST_KEYS }, { attempts: 1 });
    clients.push(client);
    await assert.rejects(client.backend(), (error: unknown) => (error as LangfuseApiError).kind === 'network');
  });
});
