// One durable score queue per backend (host + public key), in the XDG state dir. The demo's
// backend lives in memory for one run: its queue is a temporary file, removed when it ends,
// so demo runs leave nothing in the state dir (issue 17.13).
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stateDir } from '../config/paths.js';

export function scoreQueuePath(host: string, publicKey: string): string {
  const key = createHash('sha256').update(`${host}\n${publicKey}`).digest('hex').slice(0, 16);
  return join(stateDir(), `scores-${key}.jsonl`);
}

/** Whether a process with this id is running (EPERM: running, as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A queue file for one demo run, and its removal. It lives in this user's own temp dir
 * (0700, checked: not a link, not another user's), named by the run's pid; a run that was
 * killed before it could remove its file has it removed by the next demo.
 */
export function demoScoreQueue(): { path: string; remove(): void } {
  const uid = process.getuid?.() ?? null;
  let dir = join(tmpdir(), `tracetop-demo-${uid ?? 'user'}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = lstatSync(dir);
    if (!stat.isDirectory() || (uid !== null && stat.uid !== uid) || (stat.mode & 0o077) !== 0) throw new Error('not ours');
    for (const name of readdirSync(dir)) {
      const pid = /^scores-(\d+)\.jsonl/.exec(name)?.[1];
      if (pid && Number(pid) !== process.pid && !alive(Number(pid))) rmSync(join(dir, name), { force: true });
    }
  } catch {
    // Someone else's or odd: a fresh private dir instead.
    dir = mkdtempSync(join(tmpdir(), 'tracetop-demo-'));
  }
  const path = join(dir, `scores-${process.pid}.jsonl`);
  return {
    path,
    remove: () => {
      rmSync(path, { force: true });
      rmSync(`${path}.tmp`, { force: true });
    },
  };
}
