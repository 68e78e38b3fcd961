// Stream memory is bounded by bytes (issue 15): clients replaying from 0 with `fields=io` that
// stop reading hold at most the per-client buffer (plus one frame) in the server; after the
// stall limit they are dropped, and a client that resumes with Last-Event-ID gets every trace
// exactly once. The figures with 200 stalled clients are in bench/stalled-streams.ts.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startTestServer, type TestServer } from '../helpers/server.js';

const TRACES = 240;
const INPUT_BYTES = 100_000;
const BUFFER = 64 * 1024;

/** A raw HTTP client that sends the stream request and then reads nothing until told. */
function stalledClient(server: TestServer, lastEventId: number): { socket: Socket; received: () => string; closed: Promise<void> } {
  const url = new URL(server.url);
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  let text = '';
  socket.write(
    `GET /api/public/stream?fields=io&kinds=trace HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: ${server.auth}\r\nLast-Event-ID: ${lastEventId}\r\n\r\n`,
  );
  socket.pause();
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { socket, received: () => text, closed };
}

/** The body of a raw chunked HTTP response (a cut last chunk is kept as far as it goes). */
function dechunk(raw: string): string {
  let rest = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  let body = '';
  for (;;) {
    const line = rest.indexOf('\r\n');
    if (line < 0) return body;
    const size = parseInt(rest.slice(0, line), 16);
    if (!(size > 0)) return body;
    body += rest.slice(line + 2, line + 2 + size);
    rest = rest.slice(line + 2 + size + 2);
  }
}

/** The complete frames in an SSE text (a cut last frame is ignored): their ids and trace ids. */
function frames(text: string): { seq: number; traceId: string }[] {
  const out: { seq: number; traceId: string }[] = [];
  for (const block of text.split('\n\n').slice(0, -1)) {
    const id = /^id: (\d+)$/m.exec(block);
    const data = /^data: (.*)$/m.exec(block);
    if (!id || !data || !/^event: trace$/m.test(block)) continue;
    out.push({ seq: Number(id[1]), traceId: (JSON.parse(Buffer.from(data[1]!, 'latin1').toString('utf8')) as { data: { id: string } }).data.id });
  }
  return out;
}

describe('stream memory bounded by bytes', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ streamLimits: { clientBufferBytes: BUFFER, stallMs: 1500, cacheBytes: 2 * 1024 * 1024 } });
    const at = Date.parse('2026-11-24T10:00:00.000Z');
    for (let batch = 0; batch < TRACES / 20; batch++) {
      const events = Array.from({ length: 20 }, (_, i) => {
        const n = batch * 20 + i;
        return { id: `sm-e${n}`, type: 'trace-create', timestamp: new Date(at + n).toISOString(), body: { id: `sm-${n}`, input: { text: `${n} `.padEnd(INPUT_BYTES, 'x') } } };
      });
      const response = await server.post('/api/public/ingestion', { batch: events });
      assert.deepEqual(response.body.errors, []);
    }
  });
  after(() => server.close());

  it('stalled fields=io clients hold at most the buffer plus a frame, are dropped, and resume exactly once', async () => {
    const clients = Array.from({ length: 6 }, () => stalledClient(server, 0));
    let maxBuffered = 0;
    let peakClients = 0;
    while (server.streamStats().dropped < clients.length) {
      const stats = server.streamStats();
      maxBuffered = Math.max(maxBuffered, stats.maxClientBufferedBytes);
      peakClients = Math.max(peakClients, stats.clients);
      assert.ok(stats.cacheBytes <= 2 * 1024 * 1024, `frame cache holds ${stats.cacheBytes} bytes`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(peakClients, clients.length);
    // One frame is ~100 kB; the kernel's socket buffers take the rest of what was sent.
    assert.ok(maxBuffered <= BUFFER + INPUT_BYTES + 4096, `a stalled client held ${maxBuffered} bytes in the server`);
    assert.equal(server.streamStats().clients, 0);

    // The dropped client reads what reached it, then resumes after the last whole frame.
    const first = clients[0]!;
    first.socket.resume();
    await first.closed;
    const before = frames(dechunk(first.received()));

    assert.ok(before.length > 0 && before.length < TRACES, `received ${before.length} frames before the drop`);
    const resumeFrom = before.at(-1)!.seq;
    for (const client of clients.slice(1)) client.socket.destroy();

    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/public/stream?fields=io&kinds=trace`, {
      headers: { authorization: server.auth, 'last-event-id': String(resumeFrom) },
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    // Frames are taken off as they complete, so this client keeps up and is not dropped.
    const resumed: { seq: number; traceId: string }[] = [];
    let pending = '';
    while (before.length + resumed.length < TRACES) {
      const { value, done } = await reader.read();
      if (done) break;
      pending += Buffer.from(value).toString('latin1');
      const end = pending.lastIndexOf('\n\n');
      if (end < 0) continue;
      resumed.push(...frames(pending.slice(0, end + 2)));
      pending = pending.slice(end + 2);
    }
    controller.abort();
    const ids = [...before, ...resumed].map((frame) => frame.traceId);
    assert.equal(ids.length, TRACES);
    assert.equal(new Set(ids).size, TRACES, 'no trace twice');
  });
});
