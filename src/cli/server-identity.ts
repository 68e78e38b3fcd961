// Before tracetop sends its key pair to a server it found (rather than was told about) on the
// default port, the server proves it holds the pair (GET /api/public/tracetop/challenge); one
// that cannot is named — its version, pid and the account that owns the listening socket —
// and gets nothing.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { challengeProof, proofMatches, type ServerKeys } from '../server/auth.js';
import { CHALLENGE_PATH } from '../server/routes/challenge.js';
import { sanitizeLine } from '../domain/sanitize.js';

export type Ownership = { ok: true } | { ok: false; who: string };

/** The account listening on a loopback TCP port, from /proc/net/tcp{,6} (Linux); null elsewhere. */
export function portOwner(port: number): string | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid …; st 0A is LISTEN.
      if (fields.length < 8 || fields[3] !== '0A' || !fields[1]!.endsWith(`:${hexPort}`)) continue;
      const uid = Number(fields[7]);
      return `${userName(uid) ?? 'user'} (uid ${uid})`;
    }
  }
  return null;
}

function userName(uid: number): string | null {
  try {
    const entry = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((line) => line.split(':')[2] === String(uid));
    return entry ? entry.split(':')[0]! : null;
  } catch {
    return null;
  }
}

/** Asks the server at `url` to prove it holds `keys`; the keys themselves are never sent. */
export async function proveOwnership(url: string, keys: ServerKeys): Promise<Ownership> {
  const port = Number(new URL(url).port);
  const nonce = randomBytes(24).toString('base64url');
  let answer: { proof?: unknown; pid?: unknown; version?: unknown } = {};
  try {
    const response = await fetch(`${url}${CHALLENGE_PATH}?nonce=${nonce}`, { signal: AbortSignal.timeout(2000) });
    if (response.ok) answer = (await response.json()) as typeof answer;
  } catch {
    // No answer, or not JSON: not proven.
  }
  if (proofMatches(challengeProof(keys, port, nonce), answer.proof)) return { ok: true };
  const health = typeof answer.version === 'string' ? answer : await healthOf(url);
  const version = typeof health.version === 'string' ? health.version : null;
  const parts = [
    version ? `version ${sanitizeLine(version, 60)}` : null,
    typeof answer.pid === 'number' && Number.isSafeInteger(answer.pid) ? `pid ${answer.pid}` : null,
    portOwner(port) ? `run by ${sanitizeLine(portOwner(port)!, 60)}` : null,
  ].filter(Boolean);
  return { ok: false, who: `a server that says it is tracetop${parts.length ? ` (${parts.join(', ')})` : ''}` };
}

async function healthOf(url: string): Promise<{ version?: unknown }> {
  try {
    const response = await fetch(`${url}/api/public/health`, { signal: AbortSignal.timeout(1000) });
    return (await response.json()) as { version?: unknown };
  } catch {
    return {};
  }
}

/** The error when the server on the default port could not prove it holds our keys. */
export function notOursMessage(url: string, who: string, keySource: string): string {
  return (
    `${who} answers on ${url} but cannot prove it holds your key pair (${keySource}), so the keys were not sent. ` +
    'If it is yours, start it with the same keys; otherwise stop it, or use another port (--port), or point at a server with --host and its keys'
  );
}
