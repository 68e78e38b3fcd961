// Basic auth for the embedded server, compared in constant time so response timing does not
// leak how much of a guessed key matched.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
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
    // The scheme is case-insensitive (RFC 7617 via RFC 7235): "basic", "BASIC" and "Basic".
    const match = typeof header === 'string' ? /^basic[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
    if (!match) return false;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    return timingSafeEqual(digest(decoded), expected);
  };
}

/** Nonces a client may send to the ownership challenge: 16–128 URL-safe characters. */
export const CHALLENGE_NONCE = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The proof that a server holds a key pair, for a client about to send it: HMAC-SHA256 keyed
 * with the secret over the public key, the port the client connected to and the client's
 * nonce. The secret never crosses the wire, a replayed answer fails on the fresh nonce, and
 * a server relaying the challenge to the real one (on another port) fails on the port.
 */
export function challengeProof(keys: ServerKeys, port: number, nonce: string): string {
  return createHmac('sha256', keys.secretKey).update(`tracetop-challenge-v1\n${keys.publicKey}\n${port}\n${nonce}`).digest('hex');
}

/** Compares two hex proofs in constant time. */
export function proofMatches(expected: string, received: unknown): boolean {
  if (typeof received !== 'string' || !/^[0-9a-f]{64}$/.test(received)) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(received, 'hex'));
}
