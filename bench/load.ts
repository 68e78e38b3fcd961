// The embedded server under load: 8 official `langfuse` v3 SDK clients ingesting concurrently
// (in this process) and 4 `tracetop tail --json` consumers (child processes), against
// `tracetop serve` (a child process, so its RSS is its own). Every 10 s: events in, ingestion
// rate, traces received per tailer, 5xx count, server RSS. At the end: totals, what each tailer
// missed, and whether memory stayed flat.
//   node --import tsx bench/load.ts [--seconds 60] [--clients 8] [--tailers 4] [--rate 50]
//   (--rate: traces per second per client; 0 = as fast as the SDK flushes)

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machine } from './common.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    clients: { type: 'string', default: '8' },
    tailers: { type: 'string', default: '4' },
    rate: { type: 'string', default: '50' },
  },
});
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const TAILERS = Number(values.tailers);
const RATE = Number(values.rate);
const keys = { publicKey: 'pk-lf-load', secretKey: 'sk-lf-load' };
const BIN = fileURLToPath(new URL('../bin/tracetop.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tracetop-load-'));
const env = { ...process.env, NO_COLOR: '1', XDG_DATA_HOME: dir, XDG_STATE_HOME: dir, XDG_CONFIG_HOME: dir, LANGFUSE_PUBLIC_KEY: keys.publicKey, LANGFUSE_SECRET_KEY: keys.secretKey };

// Count every answer the SDKs get: the v3 SDK calls the global fetch and swallows failures.
const statuses = new Map<number, number>();
let networkErrors = 0;
const networkCauses = new Map<string, number>();
let eventsAccepted = 0;
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  try {
    const response = await realFetch(input, init);
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    if (String(input).includes('/api/public/ingestion') && response.status === 207) {
      const body = (await response.clone().json()) as { successes?: unknown[] };
      eventsAccepted += body.successes?.length ?? 0;
    }
    return response;
  } catch (error) {
    networkErrors++;
    const cause = (error as { cause?: { code?: string; name?: string } }).cause;
    const what = cause?.code ?? cause?.name ?? (error as Error).name ?? 'unknown';
    networkCauses.set(what, (networkCauses.get(what) ?? 0) + 1);
    throw error;
  }
};
const { Langfuse } = await import('langfuse');

// --- the server
const server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', join(dir, 'load.db')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let serverOutput = '';
server.stderr!.on('data', (chunk) => (serverOutput += chunk));
const url = await new Promise<string>((resolve, reject) => {
  server.stdout!.on('data', (chunk) => {
    serverOutput += chunk;
    const match = /API on (http:\/\/\S+)/.exec(serverOutput);
    if (match) resolve(match[1]!);
  });
  server.once('exit', (code) => reject(new Error(`serve exited ${code}: ${serverOutput}`)));
});

const rssMb = (pid: number): number => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
};

// --- the tailers
interface Tailer {
  child: ChildProcess;
  lines: number;
  ids: Set<string>;
  stderr: string;
}
const tailers: Tailer[] = [];
for (let i = 0; i < TAILERS; i++) {
  const child = spawn(process.execPath, [BIN, 'tail', '--json', '--host', url], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tailer: Tailer = { child, lines: 0, ids: new Set(), stderr: '' };
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = rest + chunk.toString('utf8');
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (!line) continue;
      tailer.lines++;
      try {
        tailer.ids.add((JSON.parse(line) as { id: string }).id);
      } catch {
        // counted as a line; an id-less line would show as a miss
      }
    }
  });
  child.stderr!.on('data', (chunk) => (tailer.stderr += chunk));
  tailers.push(tailer);
}
await new Promise((resolve) => setTimeout(resolve, 1_500));

// --- the SDK clients
const sent = new Set<string>();
let eventsSent = 0;
let stop = false;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function client(index: number): Promise<void> {
  const langfuse = new Langfuse({ ...keys, baseUrl: url, flushAt: 50, flushInterval: 500, requestTimeout: 10_000 });
  const started = Date.now();
  let n = 0;
  while (!stop) {
    const id = `load-${index}-${n}`;
    const now = new Date();
    const trace = langfuse.trace({ id, name: `load_${index}`, userId: `u_${n % 50}`, tags: ['load'], input: { question: `q ${n}` }, timestamp: now });
    trace.span({ name: 'retrieve', startTime: now, endTime: new Date(now.getTime() + 20) });
    trace.generation({ name: 'generate', model: 'gpt-4o-mini', startTime: now, endTime: new Date(now.getTime() + 200), usage: { input: 500, output: 80 } });
    trace.update({ output: { answer: `a ${n}` } });
    sent.add(id);
    eventsSent += 4;
    n++;
    if (RATE > 0) {
      const due = started + (n * 1000) / RATE;
      await sleep(Math.max(0, due - Date.now()));
    } else if (n % 50 === 0) {
      await langfuse.flushAsync();
    }
  }
  await langfuse.shutdownAsync();
}

console.log(`tracetop load: ${CLIENTS} SDK clients${RATE ? ` at ${RATE} traces/s each` : ' unthrottled'}, ${TAILERS} tail --json consumers, ${SECONDS}s — ${machine()}`);
console.log('  t(s)  events sent  accepted  rate(ev/s)  5xx  net-err  server RSS(MB)  received per tailer (distinct traces)');
const started = Date.now();
const rss: number[] = [rssMb(server.pid!)];
let lastAccepted = 0;
let lastAt = started;
const sample = () => {
  const now = Date.now();
  const fivexx = [...statuses].filter(([status]) => status >= 500).reduce((sum, [, count]) => sum + count, 0);
  const mb = rssMb(server.pid!);
  rss.push(mb);
  const rate = Math.round(((eventsAccepted - lastAccepted) * 1000) / (now - lastAt));
  [lastAccepted, lastAt] = [eventsAccepted, now];
  console.log(
    `  ${String(Math.round((now - started) / 1000)).padStart(4)}  ${String(eventsSent).padStart(11)}  ${String(eventsAccepted).padStart(8)}  ${String(rate).padStart(10)}  ${String(fivexx).padStart(3)}  ${String(networkErrors).padStart(7)}  ${String(mb).padStart(14)}  ${tailers.map((t) => t.ids.size).join(' / ')}`,
  );
};
const ticker = setInterval(sample, 10_000);
const clients = Array.from({ length: CLIENTS }, (_, index) => client(index));
await sleep(SECONDS * 1000);
stop = true;
await Promise.all(clients);
clearInterval(ticker);
const ingestSeconds = (Date.now() - started) / 1000;
// Let the tailers catch up with the last flushes.
const settleDeadline = Date.now() + 15_000;
while (Date.now() < settleDeadline && tailers.some((t) => [...sent].some((id) => !t.ids.has(id)))) await sleep(250);
sample();

const fivexx = [...statuses].filter(([status]) => status >= 500).reduce((sum, [, count]) => sum + count, 0);
console.log('');
console.log(`traces sent ${sent.size}, events sent ${eventsSent}, events accepted ${eventsAccepted} (${Math.round(eventsAccepted / ingestSeconds)} ev/s, ${Math.round(sent.size / ingestSeconds)} traces/s over ${ingestSeconds.toFixed(1)}s)`);
console.log(`HTTP answers to the SDKs: ${[...statuses].map(([status, count]) => `${status}×${count}`).join(', ')}; 5xx ${fivexx}; network errors ${networkErrors}${networkCauses.size ? ` (${[...networkCauses].map(([what, count]) => `${what}×${count}`).join(', ')})` : ''}`);
tailers.forEach((t, index) => {
  const missed = [...sent].filter((id) => !t.ids.has(id)).length;
  console.log(`tailer ${index + 1}: ${t.lines} lines, ${t.ids.size} distinct traces, missed ${missed}${t.stderr ? `; stderr: ${t.stderr.trim().split('\n').slice(-2).join(' | ')}` : ''}`);
});
// RSS climbs while SQLite's page cache (64 MiB), the stream's event cache and V8's heap fill,
// then levels off. Flat: the last third of the samples within 10 % of each other, and no
// higher than the middle third's peak plus 10 % (a plateau, not a slope).
const third = Math.max(1, Math.floor(rss.length / 3));
const last = rss.slice(-third);
const middle = rss.slice(-2 * third, -third);
const plateau = last.length >= 2 && Math.max(...last) - Math.min(...last) <= Math.max(10, Math.min(...last) * 0.1) && (middle.length === 0 || Math.max(...last) <= Math.max(...middle) * 1.1);
const verdict = rss.length < 6 ? 'too short to tell (run --seconds 150)' : plateau ? `flat: a plateau at ${Math.max(...last)} MB over the last ${third * 10} s` : 'still growing — look closer';
console.log(`server RSS (MB) at start and every 10 s: ${rss.join(', ')} (${verdict})`);
if (serverOutput.includes('Warning')) console.log(`server warnings:\n${serverOutput.split('\n').filter((line) => line.includes('Warning')).slice(0, 5).join('\n')}`);

for (const t of tailers) t.child.kill('SIGTERM');
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
rmSync(dir, { recursive: true, force: true });
