// Where the TUI and the scripting commands get their backend: a configured Langfuse host, or
// tracetop's embedded server (already running on the default port, or started in-process).

import { LangfuseClient } from '../api/client.js';
import { loadConfig, resolveSettings, type SettingFlags } from '../config/profiles.js';
import { DEFAULT_PORT, keysPath } from '../config/paths.js';
import { resolveServerKeys } from '../server/keys.js';
import type { RunningServer } from '../server/index.js';
import { notOursMessage, proveOwnership } from './server-identity.js';

// The embedded server (SQLite, protobuf, every route) is loaded only when it is started.
const startEmbedded: typeof import('./serve.js').startEmbedded = async (...args) => (await import('./serve.js')).startEmbedded(...args);

export interface Backend {
  client: LangfuseClient;
  host: string;
  filterText: string;
  theme: 'dark' | 'light';
  /** Set when this process started the server; stopped on exit. */
  server: RunningServer | null;
  close(): Promise<void>;
}

/** The keys for tracetop's own server when no host is configured: flags/env/profile, else the generated key file. */
export function embeddedKeys(settings: { publicKey: string | null; secretKey: string | null }): ReturnType<typeof resolveServerKeys> {
  return resolveServerKeys({ env: process.env, publicKey: settings.publicKey ?? undefined, secretKey: settings.secretKey ?? undefined, keysFile: keysPath() });
}

export async function tracetopAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/public/health`, { signal: AbortSignal.timeout(500) });
    const body = (await response.json()) as { version?: string };
    return typeof body.version === 'string' && body.version.includes('+tracetop');
  } catch {
    return false;
  }
}

export async function connect(flags: SettingFlags & { demo?: boolean; port?: number; theme?: string }, log: (line: string) => void): Promise<Backend> {
  const settings = resolveSettings(flags, process.env, loadConfig());
  let server: RunningServer | null = null;
  let host = settings.host;
  let publicKey = settings.publicKey;
  let secretKey = settings.secretKey;

  if (flags.demo) {
    // The demo never touches the user's data: its own in-memory database and keys.
    publicKey = 'pk-lf-demo';
    secretKey = 'sk-lf-demo';
    server = await startEmbedded({ port: 0, db: ':memory:', publicKey, secretKey }, () => {});
    host = server.url;
  } else if (!host) {
    const keys = embeddedKeys({ publicKey, secretKey });
    publicKey = keys.publicKey;
    secretKey = keys.secretKey;
    const url = `http://127.0.0.1:${flags.port ?? DEFAULT_PORT}`;
    if (await tracetopAnswers(url)) {
      // Found, not configured: it proves it holds our pair before the pair is sent to it.
      const owned = await proveOwnership(url, keys);
      if (!owned.ok) {
        const source = keys.source === 'file' || keys.source === 'generated' ? `the key file ${keys.path}` : 'from your settings';
        throw new Error(notOursMessage(url, owned.who, source));
      }
      host = url;
    } else {
      server = await startEmbedded({ port: flags.port ?? DEFAULT_PORT, publicKey, secretKey }, log);
      host = server.url;
    }
  }
  if (!publicKey || !secretKey) {
    throw new Error(
      `no keys for ${host}: set LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY (or --public-key/--secret-key, or a profile in the config file)`,
    );
  }
  const client = new LangfuseClient({ host: host!, publicKey, secretKey }, { plan: settings.budget });
  return {
    client,
    host: host!,
    filterText: settings.filterText,
    theme: settings.theme,
    server,
    async close() {
      await client.close();
      await server?.close();
    },
  };
}
