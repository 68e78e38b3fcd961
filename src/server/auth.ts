// Basic auth for the embedded server, compared in constant time so response timing does not
// leak how much of a guessed key matched.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface ServerKeys {
  publicKey: string;
  secretKey: string;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export function makeAuthChecker(keys: ServerKeys): (req: IncomingMessage) => boolean {
  const expected = digest(`${keys.publicKey}:${keys.secretKey}`);
  return (req) => {
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    return timingSafeEqual(digest(decoded), expected);
  };
}
