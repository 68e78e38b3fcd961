// The reliability issue's fault run, small enough for the suite: the embedded server is killed
// (stopped in-process with every connection dropped, or SIGKILLed in a child process) and
// restarted 5 times while 1,000 traces are ingested (SDK-like: buffered and retried while
// it is down) and a LiveSource tails it. Every trace reaches the consumer exactly once — over
// SSE (resumed by Last-Event-ID) and over polling. Each trace is written by one batch, so any
// second delivery of an id is a duplicate (see bench/stream-restarts.ts; full size: 20 × 5,000).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeResult, runStreamRestarts } from '../../bench/stream-restarts.js';

// The required size for both modes; SIGKILL (a child process starts in ~1 s) smaller, to fit.
const RUNS = [
  { mode: 'sse', kill: 'stop', traces: 1_000, restarts: 5 },
  { mode: 'poll', kill: 'stop', traces: 1_000, restarts: 5 },
  { mode: 'sse', kill: 'sigkill', traces: 600, restarts: 3 },
  { mode: 'poll', kill: 'sigkill', traces: 600, restarts: 3 },
] as const;

describe('LiveSource across server restarts (exact counts)', () => {
  for (const { mode, kill, traces, restarts } of RUNS) {
    it(`${mode}, killed by ${kill}: ${restarts} restarts during ${traces} traces (after 200 of history) — every trace once`, async () => {
      const result = await runStreamRestarts({ mode, kill, traces, restarts, settleTimeoutMs: 15_000 });
      const summary = describeResult(result);
      assert.equal(result.restarts, restarts, summary);
      assert.equal(result.sent, traces + result.preexisting, summary);
      assert.equal(result.preexisting, 200, summary);
      assert.ok(result.batchRetries > 0, `the producer met a down server: ${summary}`);
      assert.equal(result.missing, 0, summary);
      assert.equal(result.duplicates, 0, summary);
      assert.equal(result.unexpected, 0, summary);
      assert.equal(result.received, result.sent, summary);
      assert.equal(result.resumeMs.length, restarts, `the consumer resumed after every restart: ${summary}`);
    });
  }
});
