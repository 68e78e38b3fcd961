// GET /api/public/tracetop/challenge?nonce=…: proves this server holds its key pair without
// sending it, so a client with no host configured checks whoever answers on the default port
// before it sends its keys there (another local user may have taken the port first). Public,
// like health: the answer is useless without the secret.

import { challengeProof, CHALLENGE_NONCE, type ServerKeys } from '../auth.js';
import { badRequest } from '../http.js';
import { ok, type Route } from './context.js';

export const CHALLENGE_PATH = '/api/public/tracetop/challenge';

export function challengeRoute(keys: ServerKeys): Route {
  return {
    method: 'GET',
    path: CHALLENGE_PATH,
    public: true,
    handler: (ctx) => {
      const nonce = ctx.query.string('nonce');
      if (nonce === null || !CHALLENGE_NONCE.test(nonce)) throw badRequest('nonce must be 16 to 128 characters of A-Z, a-z, 0-9, _ and -');
      // The port this connection arrived on: a relay on another port cannot pass our answer off.
      const port = ctx.req.socket.localPort ?? 0;
      return ok({ proof: challengeProof(keys, port, nonce), pid: process.pid, version: ctx.version });
    },
  };
}
