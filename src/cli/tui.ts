// The default command: the full-screen TUI on a terminal, JSON lines when piped.

import type { TraceQuery } from '../api/types.js';
import { createLiveSource } from '../stream/live-source.js';
import { connect } from './connect.js';

export interface TuiFlags {
  host?: string;
  publicKey?: string;
  secretKey?: string;
  profile?: string;
  demo?: boolean;
  port?: number;
  tag?: string[];
  user?: string;
  session?: string;
  name?: string;
  env?: string[];
}

export function queryFromFlags(flags: TuiFlags): TraceQuery {
  return {
    tags: flags.tag?.length ? flags.tag : undefined,
    userId: flags.user,
    sessionId: flags.session,
    name: flags.name,
    environment: flags.env?.length ? flags.env : undefined,
  };
}

export function describeQuery(query: TraceQuery): string {
  const parts: string[] = [];
  for (const tag of query.tags ?? []) parts.push(`tag:${tag}`);
  if (query.userId) parts.push(`user:${query.userId}`);
  if (query.sessionId) parts.push(`session:${query.sessionId}`);
  if (query.name) parts.push(`name:${query.name}`);
  for (const env of query.environment ?? []) parts.push(`env:${env}`);
  return parts.join(' ');
}

export async function tuiCommand(flags: TuiFlags): Promise<void> {
  if (!process.stdout.isTTY) {
    const { tailCommand } = await import('./tail.js');
    return tailCommand({ ...flags, json: true });
  }
  // Ink's import (its layout engine) is the slowest part of start-up: load it while connecting.
  const ui = import('../ui/run.js');
  const notices: string[] = [];
  const backend = await connect(flags, (line) => notices.push(line));
  let traffic: { stop(): Promise<void> } | null = null;
  if (flags.demo) {
    const { startDemoTraffic } = await import('../demo/traffic.js');
    traffic = startDemoTraffic({ baseUrl: backend.host, publicKey: 'pk-lf-demo', secretKey: 'sk-lf-demo', ratePerSecond: 2 });
  }
  const query = queryFromFlags(flags);
  try {
    const source = await createLiveSource({ client: backend.client, filter: query });
    const { runTui } = await ui;
    await runTui({ source, reader: backend.client, host: backend.host, filterText: describeQuery(query) || backend.filterText });
  } finally {
    await traffic?.stop();
    await backend.close();
  }
  for (const line of notices) process.stderr.write(`${line}\n`);
}
