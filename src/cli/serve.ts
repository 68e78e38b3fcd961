// `tracetop serve`: the embedded Langfuse-compatible backend in the foreground.

import { DEFAULT_PORT, defaultDbPath, keysPath } from '../config/paths.js';
import { resolveServerKeys } from '../server/keys.js';
import { startServer, type RunningServer } from '../server/index.js';
import type { ReadApi } from '../server/routes/context.js';

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

export async function startEmbedded(flags: ServeFlags, log: (line: string) => void): Promise<RunningServer> {
  const keys = resolveServerKeys({
    env: process.env,
    publicKey: flags.publicKey,
    secretKey: flags.secretKey,
    keysFile: keysPath(),
  });
  const readApi = (flags.readApi ?? 'both') as ReadApi;
  if (!['both', 'v1', 'v2'].includes(readApi)) throw new Error(`--read-api must be both, v1 or v2 (got ${readApi})`);
  const dbPath = flags.db ?? defaultDbPath();
  const server = await startServer({
    dbPath,
    bind: flags.bind ?? '127.0.0.1',
    port: flags.port ?? DEFAULT_PORT,
    publicKey: keys.publicKey,
    secretKey: keys.secretKey,
    streamEnabled: flags.stream !== false,
    readApi,
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
