// A `startServer` in a child process, so a bench measures the server's memory (RSS) apart
// from the clients it runs. The child answers { rss, stream } on request.
//   const server = await childServer({ streamLimits: … });  await server.rss();  await server.stop();

import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerOptions } from '../src/server/index.js';

export const BENCH_KEYS = { publicKey: 'pk-lf-bench', secretKey: 'sk-lf-bench' };
export const BENCH_AUTH = `Basic ${Buffer.from(`${BENCH_KEYS.publicKey}:${BENCH_KEYS.secretKey}`).toString('base64')}`;

interface Sample {
  rss: number;
  /** CPU seconds the server process has used (user + system). */
  cpu: number;
  stream: { clients: number; bufferedBytes: number; maxClientBufferedBytes: number; cacheBytes: number; dropped: number };
  /** The longest the server's main thread went without a turn of its event loop since the
   * previous sample (ms): how long a health check could have waited. */
  loopDelayMaxMs: number;
}

export interface ChildServer {
  url: string;
  sample(): Promise<Sample>;
  stop(): Promise<void>;
}

export async function childServer(options: Partial<ServerOptions> = {}): Promise<ChildServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tracetop-bench-child-'));
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child'], { execArgv: ['--import', 'tsx', ...(process.env.BENCH_CHILD_ARGS ?? '').split(' ').filter(Boolean)], stdio: 'inherit' });
  child.send({ start: { dbPath: join(dir, 'bench.db'), port: 0, ...BENCH_KEYS, ...options } });
  const url = await new Promise<string>((resolve) => child.once('message', (message: { url: string }) => resolve(message.url)));
  return {
    url,
    sample: () =>
      new Promise<Sample>((resolve) => {
        child.once('message', (message: Sample) => resolve(message));
        child.send({ sample: true });
      }),
    stop: async () => {
      child.send({ stop: true });
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (process.argv.includes('--child')) {
  const { startServer } = await import('../src/server/index.js');
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const loopDelay = monitorEventLoopDelay({ resolution: 2 });
  loopDelay.enable();
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  process.on('message', async (message: { start?: ServerOptions; sample?: boolean; stop?: boolean }) => {
    if (message.start) {
      server = await startServer(message.start);
      process.send!({ url: server.url });
    } else if (message.sample) {
      const { user, system } = process.cpuUsage();
      process.send!({ rss: process.memoryUsage().rss, cpu: (user + system) / 1e6, stream: server!.streamStats(), loopDelayMaxMs: loopDelay.max / 1e6 });
      loopDelay.reset();
    } else if (message.stop) {
      await server?.close();
      process.exit(0);
    }
  });
}
