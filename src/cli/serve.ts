// `tracetop serve`: the embedded Langfuse-compatible backend in the foreground.

import { dirname } from 'node:path';
import { DEFAULT_PORT, defaultDbPath, keysPath } from '../config/paths.js';
import { resolveServerKeys } from '../server/keys.js';
import { startServer, type RunningServer } from '../server/index.js';
import { isLoopbackBind } from '../server/http.js';
import type { ReadApi } from '../server/routes/context.js';
import { RATE_LIMIT_PLANS, type RateLimitPlan } from '../domain/rate-limits.js';
import { fsReason, unwritableReason } from '../config/fs-errors.js';
import { UsageError } from './usage.js';
import { parseDuration, parseSize, type RetentionOptions } from '../server/retention.js';
import { stdoutLine } from './output.js';

export { DEFAULT_PORT };

export interface ServeFlags {
  port?: number;
  bind?: string;
  db?: string;
  publicKey?: string;
  secretKey?: string;
  stream?: boolean;
  readApi?: string;
  /** Langfuse Cloud's rate limits of a plan (hobby, core, pro); none by default. */
  rateLimit?: string;
  /** Required to bind a non-loopback address: the server is then reachable from the network. */
  allowRemote?: boolean;
  /** Prune traces older than this (`30d`, `12h`, `2w`), with everything attached. */
  retention?: string;
  /** Prune the oldest traces while the database's pages in use exceed this (`2GB`, `500MB`). */
  maxDbSize?: string;
}

/** Why a file cannot be written under dir (from its nearest existing ancestor), else the error's own words. */
function writeFailure(dir: string, error: unknown): string {
  return unwritableReason(dir) ?? fsReason(error);
}

/** What a person can do about a listen failure. */
function listenFailure(error: unknown, bind: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new Error(`port ${port} on ${bind} is already in use (another tracetop serve?): pick another with --port`);
  if (code === 'EACCES') return new Error(`not allowed to listen on ${bind}:${port} (ports below 1024 need privileges): pick another with --port`);
  if (code === 'EADDRNOTAVAIL') return new Error(`${bind} is not an address of this machine: check --bind`);
  return error as Error;
}

export async function startEmbedded(flags: ServeFlags, log: (line: string) => void): Promise<RunningServer> {
  // Refused before anything is written (no key pair generated for a server that never starts).
  const bind = flags.bind ?? '127.0.0.1';
  const remote = !isLoopbackBind(bind);
  if (remote && !flags.allowRemote) {
    throw new UsageError(
      `--bind ${bind} would make the server reachable from the network (anyone who reaches the port can try the keys; plain HTTP, no TLS). Add --allow-remote to mean it, or bind 127.0.0.1`,
      'serve',
    );
  }
  // Checked before anything is written, like --bind.
  let retention: RetentionOptions | undefined;
  try {
    if (flags.retention !== undefined || flags.maxDbSize !== undefined) {
      retention = {
        maxAgeMs: flags.retention !== undefined ? parseDuration(flags.retention) : undefined,
        maxDbBytes: flags.maxDbSize !== undefined ? parseSize(flags.maxDbSize) : undefined,
      };
    }
  } catch (error) {
    throw new UsageError((error as Error).message, 'serve');
  }
  let keys: ReturnType<typeof resolveServerKeys>;
  try {
    keys = resolveServerKeys({
      env: process.env,
      publicKey: flags.publicKey,
      secretKey: flags.secretKey,
      keysFile: keysPath(),
    });
  } catch (error) {
    // Only generating a pair writes: say where, and how to do without the file.
    throw new Error(
      `cannot keep a generated key pair in ${keysPath()}: ${writeFailure(dirname(keysPath()), error)}; set LANGFUSE_PUBLIC_KEY/LANGFUSE_SECRET_KEY (or --public-key/--secret-key), or point XDG_DATA_HOME at a writable directory`,
    );
  }
  const readApi = (flags.readApi ?? 'both') as ReadApi;
  if (!['both', 'v1', 'v2'].includes(readApi)) throw new UsageError(`--read-api must be both, v1 or v2 (got ${readApi})`, 'serve');
  const rateLimit = flags.rateLimit as RateLimitPlan | undefined;
  if (rateLimit !== undefined && !RATE_LIMIT_PLANS.includes(rateLimit)) {
    throw new Error(`--rate-limit must be ${RATE_LIMIT_PLANS.join(', ')} (got ${rateLimit})`);
  }
  const dbPath = flags.db ?? defaultDbPath();
  const port = flags.port ?? DEFAULT_PORT;
  const server = await startServer({
    dbPath,
    bind,
    port,
    publicKey: keys.publicKey,
    secretKey: keys.secretKey,
    streamEnabled: flags.stream !== false,
    readApi,
    rateLimit,
    retention,
  }).catch((error: unknown) => {
    throw listenFailure(error, bind, port);
  });
  log(`tracetop serve: Langfuse-compatible API on ${server.url} (database ${dbPath})`);
  if (retention) {
    const parts = [flags.retention ? `traces older than ${flags.retention}` : null, flags.maxDbSize ? `the oldest traces past ${flags.maxDbSize}` : null].filter(Boolean);
    log(`Retention: ${parts.join(' and ')} are pruned in the background, with their observations and scores.`);
  }
  if (rateLimit) log(`Rate limits of Langfuse Cloud's ${rateLimit} plan apply: 429 with Retry-After past a bucket's limit.`);
  if (remote) {
    // Every start, not only the first: a remote bind is a standing exposure.
    log(`WARNING: listening on ${bind}: reachable from the network, over plain HTTP (no TLS). Anyone who can reach port ${server.port} can send and read traces with the key pair.`);
  }
  if (keys.source === 'generated' && remote) {
    // Not on a terminal that may be shared or logged while the server is exposed.
    log(`Generated a key pair; it is kept in ${keys.path} (mode 0600) and not printed while the server is reachable from the network.`);
  } else if (keys.source === 'generated') {
    // Shown once, when the pair is created; later runs point at the file instead.
    log('Generated a key pair. Point a Langfuse SDK here with:');
    log(`  export LANGFUSE_BASE_URL=${server.url}`);
    log(`  export LANGFUSE_PUBLIC_KEY=${keys.publicKey}`);
    log(`  export LANGFUSE_SECRET_KEY=${keys.secretKey}`);
    log(`(kept in ${keys.path}, mode 0600)`);
  } else {
    const from = keys.source === 'file' ? `the key file ${keys.path}` : keys.source === 'env' ? 'LANGFUSE_PUBLIC_KEY/LANGFUSE_SECRET_KEY' : 'the flags';
    log(`Keys from ${from}; public key ${keys.publicKey}.`);
  }
  return server;
}

export async function serveCommand(flags: ServeFlags): Promise<void> {
  const server = await startEmbedded(flags, stdoutLine);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
}
