// Sends the demo scenario to a backend through the public ingestion API, exactly as an SDK
// would: a backfill so the first screen is not empty, then a steady trickle.

import { Agent, request } from 'undici';
import type { IngestionEvent } from '../domain/ingestion.js';
import { DemoScenario } from './scenario.js';
import { seedDemoPrompts } from './prompts.js';

export interface DemoTrafficOptions {
  baseUrl: string;
  publicKey: string;
  secretKey: string;
  ratePerSecond?: number;
  seed?: number;
  backfill?: number;
  onError?: (message: string) => void;
}

export interface DemoTraffic {
  stop(): Promise<void>;
  sent(): number;
}

async function post(agent: Agent, options: DemoTrafficOptions, path: string, body: unknown, method = 'POST'): Promise<{ status: number; body: any }> {
  const response = await request(`${options.baseUrl}${path}`, {
    method: method as 'POST',
    dispatcher: agent,
    headers: {
      authorization: `Basic ${Buffer.from(`${options.publicKey}:${options.secretKey}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: text ? JSON.parse(text) : null };
}

/** Score configs and a `triage` annotation queue, created once (idempotent across runs). */
export async function seedScoreConfigs(options: DemoTrafficOptions, traceIds: string[] = []): Promise<void> {
  const agent = new Agent();
  try {
    const existing = await post(agent, options, '/api/public/score-configs?limit=100', undefined, 'GET');
    const names = new Set<string>((existing.body?.data ?? []).map((config: { name: string }) => config.name));
    const wanted = [
      { name: 'groundedness', dataType: 'NUMERIC', minValue: 0, maxValue: 1, description: 'Is the answer supported by the retrieved documents?' },
      { name: 'user_feedback', dataType: 'CATEGORICAL', categories: [{ label: 'positive', value: 1 }, { label: 'neutral', value: 0.5 }, { label: 'negative', value: 0 }] },
      { name: 'resolved', dataType: 'BOOLEAN', description: 'Did the answer resolve the question?' },
    ];
    for (const config of wanted) if (!names.has(config.name)) await post(agent, options, '/api/public/score-configs', config);
    const configs = (await post(agent, options, '/api/public/score-configs?limit=100', undefined, 'GET')).body.data as { id: string }[];
    const queues = (await post(agent, options, '/api/public/annotation-queues?limit=100', undefined, 'GET')).body.data as { name: string }[];
    if (!queues.some((queue) => queue.name === 'triage')) {
      const queue = (await post(agent, options, '/api/public/annotation-queues', {
        name: 'triage',
        description: 'Demo traces waiting for a human label',
        scoreConfigIds: configs.map((config) => config.id),
      })).body as { id: string };
      for (const traceId of traceIds.slice(0, 10)) {
        await post(agent, options, `/api/public/annotation-queues/${queue.id}/items`, { objectId: traceId, objectType: 'TRACE' });
      }
    }
  } finally {
    await agent.close();
  }
}

export function startDemoTraffic(options: DemoTrafficOptions): DemoTraffic {
  const agent = new Agent({ connections: 2 });
  const scenario = new DemoScenario(options.seed ?? 42);
  const rate = options.ratePerSecond ?? 2;
  let sent = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let backoffMs = 0;
  let lateQueue: { due: number; events: IngestionEvent[] }[] = [];

  const send = async (events: IngestionEvent[]) => {
    const result = await post(agent, options, '/api/public/ingestion', { batch: events });
    if (result.status !== 207 && result.status !== 200) throw new Error(`ingestion answered ${result.status}`);
    for (const error of result.body?.errors ?? []) options.onError?.(`event ${error.id}: ${error.error ?? error.message}`);
  };

  const backfillCount = options.backfill ?? 40;
  const ready = (async () => {
    // The prompt the demo's generations link to, before the first of them.
    await seedDemoPrompts((path, body, method) => post(agent, options, path, body, method)).catch((error: Error) => options.onError?.(`demo prompts: ${error.message}`));
    const now = Date.now();
    const events: IngestionEvent[] = [];
    const ids: string[] = [];
    for (let i = 0; i < backfillCount; i++) {
      // Spread over the last ten minutes, oldest first.
      const trace = scenario.nextTrace(new Date(now - (backfillCount - i) * (600_000 / Math.max(1, backfillCount))));
      events.push(...trace.events, ...trace.late);
      ids.push(trace.traceId);
    }
    try {
      for (let i = 0; i < events.length; i += 200) await send(events.slice(i, i + 200));
      sent += backfillCount;
      await seedScoreConfigs(options, ids);
    } catch (error) {
      options.onError?.(`backfill failed: ${(error as Error).message}`);
    }
  })();

  const tick = async () => {
    if (stopped) return;
    try {
      const now = Date.now();
      const due = lateQueue.filter((entry) => entry.due <= now);
      lateQueue = lateQueue.filter((entry) => entry.due > now);
      const trace = scenario.nextTrace(new Date());
      await send([...trace.events, ...due.flatMap((entry) => entry.events)]);
      if (trace.late.length) lateQueue.push({ due: now + 2_500, events: trace.late });
      sent++;
      backoffMs = 0;
    } catch (error) {
      backoffMs = Math.min(10_000, Math.max(500, backoffMs * 2));
      options.onError?.(`demo traffic: ${(error as Error).message}; retrying in ${backoffMs} ms`);
    }
    if (!stopped) {
      // Jitter keeps the demo from looking like a metronome.
      const interval = 1000 / rate;
      timer = setTimeout(() => void tick(), backoffMs || interval * (0.5 + Math.random()));
    }
  };
  void ready.then(() => tick());

  return {
    sent: () => sent,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await ready;
      await agent.close();
    },
  };
}
