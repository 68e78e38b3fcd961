// Which key pair the embedded server requires. One exported LANGFUSE_PUBLIC_KEY /
// LANGFUSE_SECRET_KEY pair configures both the SDK and the server; without it, a pair is
// generated once into the data dir (mode 0600) and reused.

import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { ensurePrivateDir, tighten, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-files.js';
import { dirname } from 'node:path';
import type { ServerKeys } from './auth.js';
import { fsReason, unwritableReason } from '../config/fs-errors.js';

export interface ResolvedKeys extends ServerKeys {
  source: 'env' | 'flags' | 'file' | 'generated';
  path?: string;
}

export function resolveServerKeys(options: {
  env: NodeJS.ProcessEnv;
  publicKey?: string;
  secretKey?: string;
  keysFile: string;
}): ResolvedKeys {
  if (options.publicKey && options.secretKey) {
    return { publicKey: options.publicKey, secretKey: options.secretKey, source: 'flags' };
  }
  const { LANGFUSE_PUBLIC_KEY: envPublic, LANGFUSE_SECRET_KEY: envSecret } = options.env;
  if (envPublic && envSecret) return { publicKey: envPublic, secretKey: envSecret, source: 'env' };
  try {
    const stored = JSON.parse(readFileSync(options.keysFile, 'utf8')) as Partial<ServerKeys>;
    if (typeof stored.publicKey === 'string' && typeof stored.secretKey === 'string') {
      // A key file (and its directory) left readable by others is tightened on every read.
      tighten(options.keysFile, PRIVATE_FILE_MODE);
      tighten(dirname(options.keysFile), PRIVATE_DIR_MODE);
      return { publicKey: stored.publicKey, secretKey: stored.secretKey, source: 'file', path: options.keysFile };
    }
  } catch {
    // No usable file yet: generate below.
  }
  const generated: ServerKeys = {
    publicKey: `pk-lf-${randomBytes(12).toString('hex')}`,
    secretKey: `sk-lf-${randomBytes(24).toString('hex')}`,
  };
  try {
    ensurePrivateDir(dirname(options.keysFile), true);
    writeFileSync(options.keysFile, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600 });
    chmodSync(options.keysFile, 0o600);
  } catch (error) {
    // Say which file and why, in words (a read-only data dir reads as ENOENT from mkdir otherwise).
    throw new Error(
      `cannot write the key file ${options.keysFile}: ${unwritableReason(dirname(options.keysFile)) ?? fsReason(error)}; ` +
        'export LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY, or point XDG_DATA_HOME at a writable directory',
    );
  }
  return { ...generated, source: 'generated', path: options.keysFile };
}
