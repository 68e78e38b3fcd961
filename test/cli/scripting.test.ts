// The scripting commands as a shell user runs them, against the embedded server.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { BIN, runCli, startCli } from '../helpers/cli.js';
import { backendEnv, startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { ragTrace } from '../helpers/ingest.js';

const hasJq = spawnSync('jq', ['--version']).status === 0;

describe('scripting commands', () => {
  let server: TestServer;
  const home = tempDir();
  const env = () => backendEnv(home.path, server.url);

  before(async () => {
    server = await startTestServer();
    await server.post('/api/public/ingestion', { batch: ragTrace('cli-1', { name: 'rag_pipeline', userId: 'u_9', error: true }) });
    await server.post('/api/public/score-configs', { name: 'groundedness', dataType: 'NUMERIC', minValue: 0, maxValue: 1 });
    await server.post('/api/public/score-configs', { name: 'user_feedback', dataType: 'CATEGORICAL', categories: [{ label: 'positive', value: 1 }, { label: 'negative', value: 0 }] });
  });
  after(async () => {
    await server.close();
    home.remove();
  });

  it('get prints the tree with markers and waterfall, without colour when piped', async () => {
    const result = await runCli(['get', 'cli-1'], env());
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^rag_pipeline  cli-1/);
    assert.match(result.stdout, /R vector_search\s+100ms █/);
    assert.match(result.stdout, /G generate_response: upstream timeout/);
    assert.match(result.stdout, /"question": "q-cli-1"/);
    assert.ok(!result.stdout.includes('\x1b'), 'no escape codes in piped output');
  });

  it('get --json is the trace as JSON; an unknown id is a clear error', async () => {
    const result = await runCli(['get', 'cli-1', '--json'], env());
    const trace = JSON.parse(result.stdout);
    assert.equal(trace.id, 'cli-1');
    assert.equal(trace.observations.length, 2);
    const missing = await runCli(['get', 'nope'], env());
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /tracetop: 404 from .*traces\/nope/);
  });

  it('score stores a typed score once, and exits 1 with the reason when rejected', async () => {
    const ok = await runCli(['score', 'cli-1', 'user_feedback', 'negative', '--comment', 'wrong city'], env());
    assert.equal(ok.code, 0, ok.stderr);
    const trace = (await server.get('/api/public/traces/cli-1')).body;
    const score = trace.scores.find((candidate: { name: string }) => candidate.name === 'user_feedback');
    assert.equal(score.stringValue, 'negative');
    assert.equal(score.source, 'ANNOTATION');
    assert.equal(score.comment, 'wrong city');
    const outOfRange = await runCli(['score', 'cli-1', 'groundedness', '7'], env());
    assert.equal(outOfRange.code, 1);
    assert.match(outOfRange.stderr, /outside groundedness's range \(0 to 1\)/);
    const unknownTrace = await runCli(['score', 'cli-1', 'free_form', 'great'], env());
    assert.equal(unknownTrace.code, 0);
  });

  it('score says what it stored, warns when the backend has no such trace, and refuses bad keys without queueing', async () => {
    const stored = await runCli(['score', 'cli-1', 'groundedness', '0.8', '--comment', 'fine'], env());
    assert.equal(stored.code, 0, stored.stderr);
    assert.match(stored.stdout, /^stored groundedness = 0\.8 \(NUMERIC, config [\w-]+\) on trace cli-1 with comment "fine"; score id [\w-]+\n$/);
    assert.doesNotMatch(stored.stderr, /no trace/);

    const missing = await runCli(['score', 'nonexistent-trace', 'groundedness', '0.5'], env());
    assert.equal(missing.code, 0, missing.stderr);
    assert.match(missing.stdout, /stored groundedness = 0\.5 .* on trace nonexistent-trace/);
    assert.match(missing.stderr, /warning: .* has no trace nonexistent-trace \(yet\)/);

    const badKeys = await runCli(['score', 'cli-1', 'groundedness', '0.5'], { ...env(), LANGFUSE_SECRET_KEY: 'sk-lf-wrong' });
    assert.equal(badKeys.code, 1, badKeys.stderr);
    assert.match(badKeys.stderr, /refused the keys \(401\).*Nothing was stored or queued/);
    // The next run with the right keys has nothing left over to send.
    const before = (await server.get('/api/public/traces/cli-1')).body.scores.length;
    const next = await runCli(['score', 'cli-1', 'resolved_later', 'yes'], env());
    assert.equal(next.code, 0, next.stderr);
    assert.equal((await server.get('/api/public/traces/cli-1')).body.scores.length, before + 1);
  });

  it('score with the backend down stays queued (exit 75) and the next run sends it', async () => {
    const down = { ...env(), LANGFUSE_BASE_URL: 'http://127.0.0.1:9' };
    const queued = await runCli(['score', 'cli-1', 'later', '0.5'], down);
    assert.equal(queued.code, 75, queued.stderr);
    assert.match(queued.stderr, /queued/);
  });

  it('tail --json prints one JSON object per trace change, for jq, and exits 0 on | head', { skip: hasJq ? false : 'jq not installed' }, async () => {
    const tail = startCli(['tail', '--json'], env());
    await tail.waitFor(/"id":"cli-1"/);
    await server.post('/api/public/ingestion', { batch: ragTrace('cli-2', { userId: 'u_10' }) });
    await tail.waitFor(/"id":"cli-2"/);
    await tail.stop('SIGINT');
    const lines = tail.output().trim().split('\n').filter((line) => line.startsWith('{'));
    for (const line of lines) assert.equal(JSON.parse(line).type, 'trace');

    // `| head -1` closes the pipe after one line; tracetop notices at its next write (the next
    // change) and exits quietly, so the pipeline ends with jq's status.
    const piped = spawn('/bin/sh', ['-c', `"${process.execPath}" "${BIN}" tail --json | head -1 | jq -r .userId; echo "pipeline $?"`], {
      env: { ...process.env, ...env() },
    });
    let out = '';
    let err = '';
    piped.stdout.on('data', (chunk) => (out += chunk));
    piped.stderr.on('data', (chunk) => (err += chunk));
    const exited = new Promise<number | null>((resolve) => piped.on('exit', resolve));
    const deadline = Date.now() + 10_000;
    while (!/u_/.test(out) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await server.post('/api/public/ingestion', { batch: ragTrace('cli-3', { userId: 'u_11' }) });
    assert.equal(await exited, 0);
    assert.match(out, /^u_(9|10)\npipeline 0$/m);
    assert.doesNotMatch(err, /EPIPE|Error/);
  });

  it('bare tracetop with stdout not a terminal behaves as tail --json', async () => {
    const child = spawn(process.execPath, [BIN], { env: { ...process.env, ...env() } });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    const deadline = Date.now() + 10_000;
    while (!out.includes('"id":"cli-1"') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGINT');
    assert.match(out, /^\{"type":"trace"/m);
  });

  it('fails fast with a clear message on bad usage', async () => {
    const result = await runCli(['get'], env());
    assert.equal(result.code, 2);
    assert.match(result.stderr, /missing TRACE_ID\nUsage: tracetop get TRACE_ID/);
    const unknown = await runCli(['frobnicate'], env());
    assert.equal(unknown.code, 2);
  });
});
