// Health latency and server memory while the worst inputs of the hostile review are sent over
// and over (issue 15): gzip bombs of [{},{},…], a plain 4.5 MB body of 1.5 million objects,
// an event of 600,000 values, a 13 MB gzip string, a batch of 1,000 small events, a
// 2,000-deep body and an OTLP protobuf export of 1.2 million empty attributes, three at a
// time. The server runs in a child process.
//   node --import tsx bench/hostile-inputs.ts   (HOSTILE_SECONDS)

import { gzipSync } from 'node:zlib';
import { BENCH_AUTH, childServer } from './child-server.js';
import { machine, percentile } from './common.js';

const SECONDS = Number(process.env.HOSTILE_SECONDS ?? 20);
const AT = new Date().toISOString();
const objects = (count: number) => `{"batch":[{"id":"bomb","type":"trace-create","timestamp":"${AT}","body":{"id":"bomb","input":[${'{},'.repeat(count)}{}]}}]}`;
let deep = '"x"';
for (let i = 0; i < 1999; i++) deep = `[${deep}]`;

const lengthDelimited = (field: number, inner: Buffer): Buffer => {
  const length: number[] = [];
  for (let n = inner.length; ; n = Math.floor(n / 128)) {
    length.push(n >= 128 ? (n % 128) | 0x80 : n);
    if (n < 128) break;
  }
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...length]), inner]);
};
const protobufBomb = lengthDelimited(1, lengthDelimited(2, lengthDelimited(2, Buffer.alloc(2_400_000).fill(Buffer.from([0x4a, 0x00])))));

const inputs: { name: string; body: Buffer; encoding?: string; path?: string; type?: string }[] = [
  { name: 'gzip of 32 MB of [{},…]', body: gzipSync(objects(11_000_000)), encoding: 'gzip' },
  { name: 'plain 4.5 MB of [{},…]', body: Buffer.from(objects(1_450_000)) },
  { name: 'event of 600,000 values (its own 400)', body: Buffer.from(`{"batch":[{"id":"many","type":"trace-create","timestamp":"${AT}","body":{"id":"many","input":[${'0,'.repeat(600_000)}0]}}]}`) },
  { name: 'gzip of a 13 MB string', body: gzipSync(Buffer.from(`{"batch":[{"id":"str","type":"trace-create","timestamp":"${AT}","body":{"id":"str","input":"${'x'.repeat(13 * 1024 * 1024)}"}}]}`)), encoding: 'gzip' },
  { name: '1,000 small events', body: Buffer.from(JSON.stringify({ batch: Array.from({ length: 1000 }, (_, i) => ({ id: `s${i}`, type: 'span-create', timestamp: AT, body: { id: `s${i}`, traceId: `st${i % 50}`, startTime: AT, input: { i } } })) })) },
  { name: '2,000 deep', body: Buffer.from(`{"batch":[{"id":"deep","type":"trace-create","timestamp":"${AT}","body":{"id":"deep","input":${deep}}}]}`) },
  { name: 'OTLP protobuf of 1.2 million empty attributes', body: protobufBomb, path: '/api/public/otel/v1/traces', type: 'application/x-protobuf' },
];

const server = await childServer();
const send = async (input: (typeof inputs)[number]) => {
  const response = await fetch(`${server.url}${input.path ?? '/api/public/ingestion'}`, {
    method: 'POST',
    body: input.body,
    headers: { authorization: BENCH_AUTH, 'content-type': input.type ?? 'application/json', ...(input.encoding ? { 'content-encoding': input.encoding } : {}) },
  });
  await response.arrayBuffer();
  return response.status;
};

// Each input alone first (twice: a first store, then a resend), with the longest the server's
// main thread went without a turn of its event loop meanwhile.
const alone: string[] = [];
for (const input of inputs) {
  const blocks: string[] = [];
  for (let round = 0; round < 2; round++) {
    await server.sample();
    const status = await send(input);
    blocks.push(`${(await server.sample()).loopDelayMaxMs.toFixed(0)} ms (${status})`);
  }
  alone.push(`  ${input.name}: ${blocks.join(', then ')}`);
}

const idle = await server.sample();
const statuses = new Map<string, Map<number, number>>();
let stop = false;
const senders = Array.from({ length: 3 }, async (_, lane) => {
  for (let i = lane; !stop; i++) {
    const input = inputs[i % inputs.length]!;
    const status = await send(input);
    const byStatus = statuses.get(input.name) ?? new Map<number, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
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
console.log('each alone, the longest the main thread went without a turn (a first store, then a resend):');
for (const line of alone) console.log(line);
console.log(`${SECONDS} s of the worst inputs, 3 at a time:`);
for (const [name, byStatus] of statuses) console.log(`  ${name}: ${[...byStatus].map(([status, n]) => `${n} × ${status}`).join(', ')}`);
console.log(`health: p50 ${percentile(health, 50).toFixed(1)} ms, p99 ${percentile(health, 99).toFixed(1)} ms, max ${health.at(-1)!.toFixed(1)} ms (${health.length} requests; bar 100 ms)`);
console.log(`server RSS: idle ${(idle.rss / 1048576).toFixed(0)} MB, peak ${(peak / 1048576).toFixed(0)} MB`);
await server.stop();
