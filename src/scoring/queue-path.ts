// One durable score queue per backend (host + public key), in the XDG state dir.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { stateDir } from '../config/paths.js';

export function scoreQueuePath(host: string, publicKey: string): string {
  const key = createHash('sha256').update(`${host}\n${publicKey}`).digest('hex').slice(0, 16);
  return join(stateDir(), `scores-${key}.jsonl`);
}
