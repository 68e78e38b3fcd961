// File-system failures in words a person can act on: shared by the embedded server's database,
// the score queue and `serve`'s key file, so a read-only or full disk reads the same everywhere.

import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';

const REASONS: Record<string, string> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'I/O error',
};

/** An fs error as "the file system is read-only (EROFS)", or its own message when it has no code. */
export function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (!code) return error instanceof Error ? error.message : String(error);
  return `${REASONS[code] ?? (error as Error).message} (${code})`;
}

/** Why a directory cannot take a new file, from its nearest existing ancestor; null if it can. */
export function unwritableReason(dir: string): string | null {
  let probe = dir;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  try {
    accessSync(probe, constants.W_OK);
    return null;
  } catch (error) {
    return `${fsReason(error)} at ${probe}`;
  }
}
