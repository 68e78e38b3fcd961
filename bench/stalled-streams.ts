// Server memory with 200 stream clients that replay from Last-Event-ID 0 with `fields=io` and
// never read: each may hold at most the per-client buffer (256 kB) plus one frame in the
// server; after the stall limit they are dropped. The server runs in a child process; its RSS
// is sampled while the clients are stalled and after they are dropped, with health latency.
//   node --import tsx bench/stalled-streams.ts   (STALLED_CLIENTS, STALLED_TRACES, STALLED_IO_BYTES)

import { connect, type Socket } from 'node:net';
import { BENCH_AUTH, childServer } from './child-server.js';
import { machine, percentile } from './common.js';

const CLIENTS = Number(process.env.STALLED_CLIENTS ?? 200);
const TRACES = Number(process.env.STALLED_TRACES ?? 2000);
const IO_BYTES = Number(process.env.STALLED_IO_BYTES ?? 100_000);
const STALL_MS = 20_000;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const server = await childServer({ streamLimits: { stallMs: STALL_MS } });
const at = Date.now() - 3_600_000;
for (let batch = 0; batch < TRACES / 20; batch++) {
  const events = Array.from({ length: 20 }, (_, i) => {
    const n = batch * 20 + i;
    return { id: `e${n}`, type: 'trace-create', timestamp: new Date(at + n).toISOString(), body: { id: `t${n}`, input: { text: `${n} `.padEnd(IO_BYTES, 'x') }, output: 'ok' } };
  });
  const response = await fetch(`${server.url}/api/public/ingestion`, { method: 'POST', headers: { authorization: BENCH_AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ batch: events }) });
  if (response.status !== 207) throw new Error(`ingestion answered ${response.status}`);
}
const idle = await server.sample();

const url = new URL(server.url);
const sockets: Socket[] = [];
for (let i = 0; i < CLIENTS; i++) {
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  socket.write(`GET /api/public/stream?fields=io HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: ${BENCH_AUTH}\r\nLast-Event-ID: 0\r\n\r\n`);
  socket.pause();
  socket.on('error', () => {});
  sockets.push(socket);
}

const health: number[] = [];
let peak = idle;
// The most held for the stream at any sample (RSS peaks need not fall on the same sample).
const held = { buffered: 0, perClient: 0, cache: 0 };
const started = Date.now();
let dropped = false;
while (Date.now() - started < STALL_MS + 10_000) {
  const t = performance.now();
  await fetch(`${server.url}/api/public/health`);
  health.push(performance.now() - t);
  const sample = await server.sample();
  if (sample.rss > peak.rss) peak = sample;
  held.buffered = Math.max(held.buffered, sample.stream.bufferedBytes);
  held.perClient = Math.max(held.perClient, sample.stream.maxClientBufferedBytes);
  held.cache = Math.max(held.cache, sample.stream.cacheBytes);
  if (sample.stream.dropped >= CLIENTS) {
    dropped = true;
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}
await new Promise((resolve) => setTimeout(resolve, 2000));
const after = await server.sample();
health.sort((a, b) => a - b);
console.log(`machine: ${machine()}`);
console.log(`${TRACES.toLocaleString()} traces of ${(IO_BYTES / 1000).toFixed(0)} kB input (${mb(TRACES * IO_BYTES)} of fields=io frames); ${CLIENTS} clients replaying from 0 and never reading`);
console.log(`server RSS: idle ${mb(idle.rss)}; peak while stalled ${mb(peak.rss)} (at most ${mb(held.buffered)} buffered in the server, ${(held.perClient / 1024).toFixed(0)} kB for one client, frame cache ${mb(held.cache)}); after the drop ${mb(after.rss)}`);
console.log(`clients dropped after the ${STALL_MS / 1000} s stall limit: ${after.stream.dropped} of ${CLIENTS}${dropped ? '' : ' (not all within the bench window)'}`);
console.log(`health while stalled: p50 ${percentile(health, 50).toFixed(1)} ms, p99 ${percentile(health, 99).toFixed(1)} ms, max ${health.at(-1)!.toFixed(1)} ms (${health.length} requests)`);
for (const socket of sockets) socket.destroy();
await server.stop();
