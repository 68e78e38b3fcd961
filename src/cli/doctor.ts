// `tracetop config doctor`: where tracetop would connect and whether that works — the keys
// found exactly as the other commands find them (flags, environment, profile, and for the
// embedded server its generated key file), the host's health and version, which read
// generation answered and why (the probes of `api/detect.ts`), the request budget, and a keyed
// request — without printing a secret. Exit 0 when the connection works, 1 when it does not.

import { loadConfig, resolveSettings, configPath } from '../config/profiles.js';
import { DEFAULT_PORT } from '../config/paths.js';
import { LangfuseClient } from '../api/client.js';
import { resolvePlan } from '../api/budget.js';
import { LangfuseApiError } from '../api/http.js';
import type { SettingFlags } from '../config/profiles.js';
import { sanitizeText } from '../domain/sanitize.js';
import { embeddedKeys, tracetopAnswers } from './connect.js';
import { notOursMessage, proveOwnership } from './server-identity.js';

const mask = (key: string | null): string => (key ? `${key.slice(0, 8)}…${key.slice(-4)}` : '(none)');

const READS = {
  v1: 'v1 (GET /traces, /observations, /v2/scores; self-hosted Langfuse v3)',
  v2: 'v2 (GET /v2/observations, /v3/scores; Langfuse Cloud / v4)',
} as const;

export async function doctorCommand(flags: SettingFlags & { port?: number }): Promise<number> {
  // Hosts, key sources and backend messages can carry escape sequences: made inert.
  const out = (line: string) => process.stdout.write(`${sanitizeText(line)}\n`);
  const settings = resolveSettings(flags, process.env, loadConfig());
  out(`config file   ${configPath()}${settings.profile ? ` (profile ${settings.profile})` : ''}`);
  let host = settings.host;
  let publicKey = settings.publicKey;
  let secretKey = settings.secretKey;
  let keySource = `${settings.sources.publicKey}/${settings.sources.secretKey}`;
  if (host) {
    out(`host          ${host}  [${settings.sources.host}]`);
  } else {
    // No host configured: tracetop's own server, found and keyed as `tracetop` and `tail` do.
    const url = `http://127.0.0.1:${flags.port ?? DEFAULT_PORT}`;
    if (!(await tracetopAnswers(url))) {
      out(`host          (none: the embedded backend on ${url})`);
      out(`embedded      not running on ${url}; \`tracetop\` starts it when it opens, \`tracetop serve\` runs it`);
      return 0;
    }
    host = url;
    const keys = embeddedKeys({ publicKey, secretKey });
    publicKey = keys.publicKey;
    secretKey = keys.secretKey;
    keySource = keys.source === 'file' || keys.source === 'generated' ? `the key file ${keys.path ?? ''}`.trim() : keys.source;
    out(`host          ${url}  [the embedded server, running]`);
    // As `tracetop` does: the server proves it holds the pair before the pair is sent to it.
    const owned = await proveOwnership(url, keys);
    if (!owned.ok) {
      out(`problem       ${notOursMessage(url, owned.who, keySource)}`);
      return 1;
    }
  }
  out(`public key    ${mask(publicKey)}  [${keySource}]`);
  out(`secret key    ${secretKey ? 'set' : '(none)'}  [${keySource}]`);
  if (settings.filterText) out(`filter        ${settings.filterText}  [${settings.sources.filterText}]`);
  let plan;
  try {
    plan = resolvePlan(settings.budget, host);
  } catch (error) {
    out(`budget        ${(error as Error).message}`);
    return 1;
  }
  out(`budget        ${plan}${settings.budget ? '' : plan === 'hobby' ? ' (Langfuse Cloud default; set `budget` in the profile or TRACETOP_BUDGET)' : ' (not Langfuse Cloud: no pacing; a 429 is still honoured)'}`);
  if (!publicKey || !secretKey) {
    out('keys          missing: set LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY, flags, or a profile');
    return 1;
  }
  const client = new LangfuseClient({ host, publicKey, secretKey }, { attempts: 1, timeoutMs: 5_000, plan });
  try {
    const backend = await client.backend();
    for (const probe of backend.probes) out(`probe         GET ${probe.path}: ${probe.answer}`);
    out(`reachable     yes, Langfuse ${backend.version ?? '(unknown version)'}`);
    out(`API reads     ${READS[backend.generation]}`);
    out(`because       ${backend.reason}`);
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
