// Health latency and server memory while the worst inputs of the hostile review are sent over
// and over (issue 15): gzip bombs of [{},{},…], a plain 4.5 MB body of 1.5 million objects,
// an event of 600,000 values, a 13 MB gzip string, a batch of 1,000 small events and a
// 2,000-deep body, three at a time. The server runs in a child process.
//   node --import tsx bench/hostile-inputs.ts   (HOSTILE_SECONDS)

import { gzipSync } from 'node:zlib';
import { BENCH_AUTH, childServer } from './child-server.js';
import { machine, percentile } from './common.js';

const SECONDS = Number(process.env.HOSTILE_SECONDS ?? 20);
const AT = new Date().toISOString();
const objects = (count: number) => `{"batch":[{"id":"bomb","type":"trace-create","timestamp":"${AT}","body":{"id":"bomb","input":[${'{},'.repeat(count)}{}]}}]}`;
let deep = '"x"';
for (let i = 0; i < 1999; i++) deep = `[${deep}]`;

const inputs: { name: string; body: Buffer; encoding?: string }[] = [
  { name: 'gzip of 32 MB of [{},…]', body: gzipSync(objects(11_000_000)), encoding: 'gzip' },
  { name: 'plain 4.5 MB of [{},…]', body: Buffer.from(objects(1_450_000)) },
  { name: 'event of 600,000 values (its own 400)', body: Buffer.from(`{"batch":[{"id":"many","type":"trace-create","timestamp":"${AT}","body":{"id":"many","input":[${'0,'.repeat(600_000)}0]}}]}`) },
  { name: 'gzip of a 13 MB string', body: gzipSync(Buffer.from(`{"batch":[{"id":"str","type":"trace-create","timestamp":"${AT}","body":{"id":"str","input":"${'x'.repeat(13 * 1024 * 1024)}"}}]}`)), encoding: 'gzip' },
  { name: '1,000 small events', body: Buffer.from(JSON.stringify({ batch: Array.from({ length: 1000 }, (_, i) => ({ id: `s${i}`, type: 'span-create', timestamp: AT, body: { id: `s${i}`, traceId: `st${i % 50}`, startTime: AT, input: { i } } })) })) },
  { name: '2,000 deep', body: Buffer.from(`{"batch":[{"id":"deep","type":"trace-create","timestamp":"${AT}","body":{"id":"deep","input":${deep}}}]}`) },
];

const server = await childServer();
const idle = await server.sample();
const statuses = new Map<string, Map<number, number>>();
let stop = false;
const senders = Array.from({ length: 3 }, async (_, lane) => {
  for (let i = lane; !stop; i++) {
    const input = inputs[i % inputs.length]!;
    const response = await fetch(`${server.url}/api/public/ingestion`, {
      method: 'POST',
      body: input.body,
      headers: { authorization: BENCH_AUTH, 'content-type': 'application/json', ...(input.encoding ? { 'content-encoding': input.encoding } : {}) },
    });
    await response.arrayBuffer();
    const byStatus = statuses.get(input.name) ?? new Map<number, number>();
    byStatus.set(response.status, (byStatus.get(response.status) ?? 0) + 1);
    statuses.set(input.name, byStatus);
  }
});

const health: number[] = [];
let peak = idle.rss;
const started = Date.now();
while (Date.now() - started < SECONDS * 1000) {
  const t = performance.now();
  const response = await fetch(`${server.url}/api/public/health`);
  await response.arrayBuffer();
  health.push(performance.now() - t);
  peak = Math.max(peak, (await server.sample()).rss);
  await new Promise((resolve) => setTimeout(resolve, 20));
}
stop = true;
await Promise.all(senders);
health.sort((a, b) => a - b);
console.log(`machine: ${machine()}`);
console.log(`${SECONDS} s of the worst inputs, 3 at a time:`);
for (const [name, byStatus] of statuses) console.log(`  ${name}: ${[...byStatus].map(([status, n]) => `${n} × ${status}`).join(', ')}`);
console.log(`health: p50 ${percentile(health, 50).toFixed(1)} ms, p99 ${percentile(health, 99).toFixed(1)} ms, max ${health.at(-1)!.toFixed(1)} ms (${health.length} requests; bar 100 ms)`);
console.log(`server RSS: idle ${(idle.rss / 1048576).toFixed(0)} MB, peak ${(peak / 1048576).toFixed(0)} MB`);
await server.stop();
