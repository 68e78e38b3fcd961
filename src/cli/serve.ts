// `tracetop serve`: the embedded Langfuse-compatible backend in the foreground.

import { dirname } from 'node:path';
import { DEFAULT_PORT, defaultDbPath, keysPath } from '../config/paths.js';
import { resolveServerKeys } from '../server/keys.js';
import { startServer, type RunningServer } from '../server/index.js';
import type { ReadApi } from '../server/routes/context.js';
import { fsReason, unwritableReason } from '../config/fs-errors.js';

export { DEFAULT_PORT };

export interface ServeFlags {
  port?: number;
  bind?: string;
  db?: string;
  publicKey?: string;
  secretKey?: string;
  stream?: boolean;
  readApi?: string;
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
  if (!['both', 'v1', 'v2'].includes(readApi)) throw new Error(`--read-api must be both, v1 or v2 (got ${readApi})`);
  const dbPath = flags.db ?? defaultDbPath();
  const bind = flags.bind ?? '127.0.0.1';
  const port = flags.port ?? DEFAULT_PORT;
  const server = await startServer({
    dbPath,
    bind,
    port,
    publicKey: keys.publicKey,
    secretKey: keys.secretKey,
    streamEnabled: flags.stream !== false,
    readApi,
  }).catch((error: unknown) => {
    throw listenFailure(error, bind, port);
  });
  log(`tracetop serve: Langfuse-compatible API on ${server.url} (database ${dbPath})`);
  if (keys.source === 'generated') {
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
  const server = await startEmbedded(flags, (line) => process.stdout.write(`${line}\n`));
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
}
