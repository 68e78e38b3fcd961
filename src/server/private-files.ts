// tracetop's files hold every prompt and output it was sent, and its keys: directories it
// creates are 0700 and its files 0600, whatever the umask, whoever made the directory first
// (keys from the environment used to leave the data dir 0755 and the database 0644).

import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const ownedByMe = (path: string): boolean => {
  try {
    return typeof process.getuid !== 'function' || statSync(path).uid === process.getuid();
  } catch {
    return false;
  }
};

/** Sets `mode` on a path this user owns when it is looser; a path owned by someone else (or
 * gone) is left alone. */
export function tighten(path: string, mode: number): void {
  try {
    const stat = statSync(path);
    if ((stat.mode & 0o777 & ~mode) !== 0 && ownedByMe(path)) chmodSync(path, mode);
  } catch {
    // Missing, or not ours to change: nothing to do.
  }
}

/** Creates `dir` (and missing parents) 0700. With `own`, an existing `dir` is tightened too:
 * for tracetop's own data directory, not a directory the user named (/tmp for --db /tmp/x.db). */
export function ensurePrivateDir(dir: string, own: boolean): void {
  const existed = existsSync(dir);
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (!existed || own) tighten(dir, PRIVATE_DIR_MODE);
}

/** Creates an empty file 0600 if it does not exist, so whatever opens it next (SQLite) never
 * makes it with the umask's mode; an existing one is tightened. */
export function ensurePrivateFile(path: string): void {
  if (!existsSync(path)) closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  tighten(path, PRIVATE_FILE_MODE);
}

/** The database and the files SQLite keeps beside it. */
export function tightenDatabaseFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) tighten(`${path}${suffix}`, PRIVATE_FILE_MODE);
}
