// `tracetop config doctor`: where tracetop would connect and whether that works — host
// reachable, keys accepted, API generation, stream — without printing a secret.

import { loadConfig, resolveSettings, configPath } from '../config/profiles.js';
import { LangfuseClient } from '../api/client.js';
import { LangfuseApiError } from '../api/http.js';
import type { SettingFlags } from '../config/profiles.js';

const mask = (key: string | null): string => (key ? `${key.slice(0, 8)}…${key.slice(-4)}` : '(none)');

export async function doctorCommand(flags: SettingFlags): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const settings = resolveSettings(flags, process.env, loadConfig());
  out(`config file   ${configPath()}${settings.profile ? ` (profile ${settings.profile})` : ''}`);
  out(`host          ${settings.host ?? '(none: the embedded backend on 127.0.0.1:3939)'}  [${settings.sources.host}]`);
  out(`public key    ${mask(settings.publicKey)}  [${settings.sources.publicKey}]`);
  out(`secret key    ${settings.secretKey ? 'set' : '(none)'}  [${settings.sources.secretKey}]`);
  if (settings.filterText) out(`filter        ${settings.filterText}  [${settings.sources.filterText}]`);
  const host = settings.host ?? 'http://127.0.0.1:3939';
  if (!settings.publicKey || !settings.secretKey) {
    out('keys          missing: set LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY, flags, or a profile');
    return settings.host ? 1 : 0;
  }
  const client = new LangfuseClient({ host, publicKey: settings.publicKey, secretKey: settings.secretKey }, { attempts: 1, timeoutMs: 5_000 });
  try {
    const backend = await client.backend();
    out(`reachable     yes, Langfuse ${backend.version ?? '(unknown version)'}`);
    out(`API reads     ${backend.generation === 'v1' ? 'v1 (GET /traces …; self-hosted v3)' : 'v2 (GET /v2/observations, /v3/scores; Cloud / v4)'}`);
    out(`live updates  ${backend.streams ? 'stream (Server-Sent Events)' : 'polling'}`);
    await client.listScoreConfigs();
    out('keys          accepted');
    return 0;
  } catch (error) {
    const message = error instanceof LangfuseApiError ? error.message : (error as Error).message;
    out(`problem       ${message}`);
    return 1;
  } finally {
    await client.close();
  }
}
