// Fault run from the reliability issue: the embedded server is killed and restarted N times
// during a run of T traces while a LiveSource tails it; every trace must reach the consumer
// exactly once — over SSE (resume by Last-Event-ID) and over polling (a server without the
// stream, like stock Langfuse).
//   node --import tsx bench/stream-restarts.ts [--traces 5000] [--restarts 20] [--mode sse|poll|both]
//     [--kill stop|sigkill] [--retry-ms 100] [--poll-ms 100] [--down-ms 200]
//
// "Exactly once": each trace is written by exactly one ingestion batch (one transaction), so
// it never changes after it first becomes visible. Any second delivery of a trace id to the
// consumer is therefore a duplicate (there are no legitimate updates in this workload); a
// trace never delivered is missing. An SDK retry of a batch whose answer was lost in a kill
// is a no-op on the server (event ids are idempotent) and must not show up either.
//
// The producer behaves like an SDK: traces are created at a steady rate into a buffer, sent
// in batches over HTTP while the server is up, and retried with backoff while it is down.
// "Killed" is either an in-process stop that drops every open connection (in-flight ingestion
// included), or (--kill sigkill) SIGKILL of a child process running the server; either way on
// the same file-backed SQLite database, and the server comes back on the same port.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { LangfuseClient } from '../src/api/client.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import { createLiveSource } from '../src/stream/live-source.js';
import type { TraceSummary } from '../src/domain/types.js';

export interface RestartRunOptions {
  mode: 'sse' | 'poll';
  traces: number;
  restarts: number;
  /** Traces created per producer tick. */
  tracesPerTick?: number;
  tickMs?: number;
  /** Traces per HTTP batch at most. */
  batchTraces?: number;
  /** How long the server stays down per restart. */
  downMs?: number;
  pollIntervalMs?: number;
  /** SSE `retry:` hint. */
  retryMs?: number;
  /**
   * 'stop': the server is stopped in-process, every open connection dropped (in-flight
   * requests included). 'sigkill': the server runs in a child process that is SIGKILLed.
   */
  kill?: 'stop' | 'sigkill';
  /** Traces stored before the source starts: its history, which must arrive exactly once too. */
  preexisting?: number;
  /** How long to wait for stragglers after the last batch was accepted. */
  settleTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface RestartRunResult {
  mode: 'sse' | 'poll';
  /** Traces stored in all, the history included. */
  sent: number;
  preexisting: number;
  received: number;
  duplicates: number;
  missing: number;
  unexpected: number;
  restarts: number;
  batchesSent: number;
  batchRetries: number;
  elapsedMs: number;
  resumeMs: number[];
  missingIds: string[];
  duplicateIds: string[];
}

const keys = { publicKey: 'pk-lf-restarts', secretKey: 'sk-lf-restarts' };
const auth = `Basic ${Buffer.from(`${keys.publicKey}:${keys.secretKey}`).toString('base64')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Backend {
  url: string;
  port: number;
  kill(): Promise<void>;
}

type ServerSettings = { dbPath: string; streamEnabled: boolean; retryMs: number; heartbeatMs: number };

async function startInProcess(settings: ServerSettings, port: number): Promise<Backend> {
  const server: RunningServer = await startServer({ ...settings, ...keys, port });
  return { url: server.url, port: server.port, kill: () => server.close() };
}

/** The server in a child process (this file with --child), killed with SIGKILL. */
async function startChild(settings: ServerSettings, port: number): Promise<Backend> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', JSON.stringify({ ...settings, port })],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // Never outlive the run, whatever happens to it.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  const actualPort = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /ready (\d+)/.exec(buffered);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`server child exited (${code}) before it was ready`)));
  });
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

function traceEvents(id: string, at: Date) {
  const iso = at.toISOString();
  return [
    { id: `e-${id}`, type: 'trace-create', timestamp: iso, body: { id, name: 'restart_run', userId: 'u_1', tags: ['production'], timestamp: iso } },
    { id: `e-${id}-s`, type: 'span-create', timestamp: iso, body: { id: `${id}-s`, traceId: id, name: 'step', startTime: iso, endTime: iso } },
  ];
}

export async function runStreamRestarts(options: RestartRunOptions): Promise<RestartRunResult> {
  const running = { server: null as Backend | null };
  try {
    return await run(options, running);
  } finally {
    // On failure too: no server (child process) left behind.
    await running.server?.kill().catch(() => {});
  }
}

async function run(options: RestartRunOptions, running: { server: Backend | null }): Promise<RestartRunResult> {
  const tracesPerTick = options.tracesPerTick ?? 5;
  const tickMs = options.tickMs ?? 20;
  const batchTraces = options.batchTraces ?? 50;
  const downMs = options.downMs ?? 200;
  const log = options.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'tracetop-restarts-'));
  const dbPath = join(dir, 'restarts.db');
  const settings: ServerSettings = {
    dbPath,
    streamEnabled: options.mode === 'sse',
    retryMs: options.retryMs ?? 100,
    heartbeatMs: 1_000,
  };
  const start = options.kill === 'sigkill' ? startChild : startInProcess;
  let server: Backend | null = await start(settings, 0);
  running.server = server;
  const port = server.port;
  const url = server.url;
  const preexisting = options.preexisting ?? 200;
  const preIds: string[] = [];
  if (preexisting > 0) {
    const batch: unknown[] = [];
    for (let i = 0; i < preexisting; i++) {
      const id = `rt-${options.mode}-pre-${i}`;
      preIds.push(id);
      batch.push(...traceEvents(id, new Date(Date.now() - 60_000 + i)));
    }
    const response = await request(`${url}/api/public/ingestion`, { method: 'POST', body: JSON.stringify({ batch }), headers: { authorization: auth, 'content-type': 'application/json' } });
    await response.body.text();
    if (response.statusCode !== 207) throw new Error(`seeding answered ${response.statusCode}`);
  }
  const client = new LangfuseClient({ host: url, ...keys }, { attempts: 2, minBackoffMs: 20, maxBackoffMs: 200, timeoutMs: 5_000 });
  const source = await createLiveSource({
    client,
    mode: options.mode,
    flushIntervalMs: 20,
    pollIntervalMs: options.pollIntervalMs ?? 100,
  });

  // Consumer: counts every delivery per trace id.
  const deliveries = new Map<string, number>();
  /** Restart epoch in which each trace's batch was accepted. */
  const ackedEpoch = new Map<string, number>();
  let epoch = 0;
  /** When each restart's server was listening again, by epoch; and its time to resume. */
  const restartedAt: number[] = [0];
  const resumeByEpoch = new Map<number, number>();
  source.onTraces((batch: TraceSummary[]) => {
    for (const trace of batch) {
      deliveries.set(trace.id, (deliveries.get(trace.id) ?? 0) + 1);
      const acked = ackedEpoch.get(trace.id) ?? 0;
      if (acked > 0 && !resumeByEpoch.has(acked)) resumeByEpoch.set(acked, Date.now() - restartedAt[acked]!);
    }
  });
  for (const id of preIds) ackedEpoch.set(id, 0);
  if (process.env.RESTARTS_DEBUG) {
    source.onStatus((status) => log(`    ${Date.now() % 100_000} source ${status.state} ${status.detail ?? ''} last=${status.stats.lastEventId}`));
  }
  source.start();
  const liveState = options.mode === 'sse' ? 'live' : 'polling';
  for (let waited = 0; source.status().state !== liveState; waited += 20) {
    if (waited > 10_000) throw new Error(`source never became ${liveState}: ${source.status().detail}`);
    await sleep(20);
  }

  const started = Date.now();
  // Producer: a buffer of created-but-unsent traces, filled on a timer whatever the server does.
  const buffer: { id: string; events: unknown[] }[] = [];
  let created = 0;
  // Restarts are spread evenly: one after every T/(N+1) created traces. The producer never runs
  // past the next restart's mark before that restart happened (a slow restart, such as a child
  // process starting, would otherwise leave the last restarts after the end of the traffic).
  const every = Math.floor(options.traces / (options.restarts + 1));
  let restarts = 0;
  const cap = () => (restarts >= options.restarts ? options.traces : Math.min(options.traces, every * (restarts + 1)));
  const producer = setInterval(() => {
    for (let i = 0; i < tracesPerTick && created < cap(); i++, created++) {
      const id = `rt-${options.mode}-${created}`;
      buffer.push({ id, events: traceEvents(id, new Date()) });
    }
    if (created >= options.traces) clearInterval(producer);
  }, tickMs);

  // Sender: one batch at a time, in order, retried until accepted (an SDK's flush loop).
  let agent = new Agent({ keepAliveTimeout: 1_000, connections: 2 });
  let sent = 0;
  let batchesSent = 0;
  let batchRetries = 0;
  let sending = true;
  const sender = (async () => {
    while (sent < options.traces) {
      if (buffer.length === 0) {
        await sleep(5);
        continue;
      }
      const batch = buffer.slice(0, batchTraces);
      const body = JSON.stringify({ batch: batch.flatMap((trace) => trace.events) });
      let backoff = 10;
      for (;;) {
        try {
          const response = await request(`${url}/api/public/ingestion`, {
            method: 'POST',
            body,
            dispatcher: agent,
            headers: { authorization: auth, 'content-type': 'application/json' },
            headersTimeout: 5_000,
            bodyTimeout: 5_000,
          });
          const text = await response.body.text();
          if (response.statusCode === 207 || response.statusCode === 200) {
            const result = JSON.parse(text) as { errors?: unknown[] };
            if (result.errors?.length) throw new Error(`ingestion errors: ${JSON.stringify(result.errors).slice(0, 200)}`);
            break;
          }
          if (response.statusCode < 500) throw new Error(`ingestion answered ${response.statusCode}: ${text.slice(0, 200)}`);
        } catch (error) {
          if (error instanceof Error && /ingestion (answered|errors)/.test(error.message)) throw error;
          // Down or dropped mid-request: retry the same batch (the server dedupes event ids).
        }
        batchRetries++;
        await sleep(backoff);
        backoff = Math.min(200, backoff * 2);
      }
      batchesSent++;
      if (process.env.RESTARTS_DEBUG && !ackedEpoch.has(batch[0]!.id) && epoch > 0 && ![...ackedEpoch.values()].includes(epoch)) log(`    epoch ${epoch}: first batch accepted after ${Date.now() - restartedAt[epoch]!} ms`);
      for (const trace of batch) ackedEpoch.set(trace.id, epoch);
      buffer.splice(0, batch.length);
      sent += batch.length;
    }
    sending = false;
  })();

  // Restarter: kills the server after every T/(N+1) created traces, keeps it down, restarts it.
  while (restarts < options.restarts) {
    // Kill once enough traces were created and the consumer resumed after the last restart
    // (a trace accepted since was delivered), so every restart has its time to resume and a
    // slow start (a child process) does not turn the run into back-to-back restarts. A source
    // that never resumes is not waited for beyond 15 s: its traces show up as missing.
    const resumeDeadline = Date.now() + 15_000;
    while (created < every * (restarts + 1) || (restarts > 0 && !resumeByEpoch.has(restarts) && sending && Date.now() < resumeDeadline)) {
      await sleep(2);
    }
    const dying = server!;
    server = null;
    running.server = null;
    await dying.kill();
    await agent.close().catch(() => {});
    agent = new Agent({ keepAliveTimeout: 1_000, connections: 2 });
    await sleep(downMs);
    server = await start(settings, port);
    running.server = server;
    restarts++;
    epoch = restarts;
    restartedAt[epoch] = Date.now();
    if (process.env.RESTARTS_DEBUG) log(`    ${Date.now() % 100_000} listening again`);
    log(`  restart ${restarts}/${options.restarts}: created ${created}, accepted ${sent}, delivered ${deliveries.size}`);
  }

  while (sending) await sleep(10);
  const settleDeadline = Date.now() + (options.settleTimeoutMs ?? 30_000);
  while (deliveries.size < options.traces + preexisting && Date.now() < settleDeadline) await sleep(20);
  const elapsedMs = Date.now() - started;
  // Give late duplicates a chance to show: a few poll intervals / flushes.
  await sleep(Math.max(500, (options.pollIntervalMs ?? 100) * 5));
  await source.stop();
  await client.close();
  await agent.close().catch(() => {});
  await server?.kill();
  running.server = null;
  rmSync(dir, { recursive: true, force: true });

  const sentIds = new Set([...ackedEpoch.keys()]);
  let duplicates = 0;
  const duplicateIds: string[] = [];
  let unexpected = 0;
  for (const [id, count] of deliveries) {
    if (!sentIds.has(id)) unexpected++;
    if (count > 1) {
      duplicates += count - 1;
      duplicateIds.push(id);
    }
  }
  const missingIds = [...sentIds].filter((id) => !deliveries.has(id));
  return {
    mode: options.mode,
    sent: sent + preexisting,
    preexisting,
    received: deliveries.size,
    duplicates,
    missing: missingIds.length,
    unexpected,
    restarts,
    batchesSent,
    batchRetries,
    elapsedMs,
    resumeMs: [...resumeByEpoch.values()],
    missingIds: missingIds.slice(0, 20),
    duplicateIds: duplicateIds.slice(0, 20),
  };
}

export function describeResult(result: RestartRunResult): string {
  const sorted = [...result.resumeMs].sort((a, b) => a - b);
  const p50 = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  const max = sorted.at(-1) ?? NaN;
  return [
    `${result.mode.padEnd(4)} sent ${result.sent} (history ${result.preexisting} + live ${result.sent - result.preexisting}), received ${result.received}, duplicates ${result.duplicates}, missing ${result.missing}, unexpected ${result.unexpected}`,
    `     restarts ${result.restarts}, batches ${result.batchesSent} (+${result.batchRetries} retries), elapsed ${(result.elapsedMs / 1000).toFixed(1)} s`,
    `     time to resume (server listening again → first trace accepted after it delivered): p50 ${p50} ms, max ${max} ms (n=${sorted.length})`,
    ...(result.missingIds.length ? [`     missing e.g. ${result.missingIds.join(', ')}`] : []),
    ...(result.duplicateIds.length ? [`     duplicated e.g. ${result.duplicateIds.join(', ')}`] : []),
  ].join('\n');
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain && process.argv[2] === '--child') {
  const settings = JSON.parse(process.argv[3]!) as ServerSettings & { port: number };
  const server = await startServer({ ...settings, ...keys });
  process.stdout.write(`ready ${server.port}\n`);
} else if (isMain) {
  const arg = (name: string, fallback: string) => {
    const index = process.argv.indexOf(`--${name}`);
    return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
  };
  const traces = Number(arg('traces', '5000'));
  const restarts = Number(arg('restarts', '20'));
  const mode = arg('mode', 'both');
  const kill = arg('kill', 'stop') as 'stop' | 'sigkill';
  const retryMs = Number(arg('retry-ms', '100'));
  const pollIntervalMs = Number(arg('poll-ms', '100'));
  const downMs = Number(arg('down-ms', '200'));
  const { machine } = await import('./common.js');
  console.log(`stream restarts: ${traces} traces, ${restarts} restarts, kill by ${kill}, down ${downMs} ms each, SSE retry ${retryMs} ms, poll every ${pollIntervalMs} ms — ${machine()}`);
  let failed = false;
  for (const which of mode === 'both' ? (['sse', 'poll'] as const) : [mode as 'sse' | 'poll']) {
    const result = await runStreamRestarts({ mode: which, traces, restarts, kill, retryMs, pollIntervalMs, downMs, log: console.log });
    console.log(describeResult(result));
    if (result.duplicates || result.missing || result.unexpected || result.received !== result.sent) failed = true;
  }
  process.exitCode = failed ? 1 : 0;
}
