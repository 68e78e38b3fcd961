// Notices that the process reading our stdout pipe is gone (`tracetop tail | head -1` after
// head's one line) while nothing is being written: a write would fail with EPIPE, but a quiet
// project may not give tail anything to write for minutes. A pipe's write end cannot be polled
// from Node, so on Linux the pipe's readers are found in /proc (the same user's processes) and
// watched; once a reader was seen and none is left, the reader is gone. Elsewhere, or when no
// reader can be seen (another user's process), the next write's EPIPE still ends it.

import { fstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

interface Holder {
  pid: number;
  fd: string;
}

/** The first process other than this one holding `link` (`pipe:[123]`) open for reading. */
function findReader(link: string): Holder | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  } catch {
    return null;
  }
  // The reader is usually started right after us: look near our pid first.
  pids.sort((a, b) => Math.abs(Number(a) - process.pid) - Math.abs(Number(b) - process.pid));
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== link) continue;
        const flags = /flags:\s*([0-7]+)/.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
        // O_WRONLY is 1: a writer (another producer) does not keep the pipe's reader alive.
        if (flags && (parseInt(flags[1]!, 8) & 3) !== 1) return { pid: Number(pid), fd };
      } catch {
        // The process or descriptor went away meanwhile.
      }
    }
  }
  return null;
}

function stillHolds(holder: Holder, link: string): boolean {
  try {
    return readlinkSync(`/proc/${holder.pid}/fd/${holder.fd}`) === link;
  } catch {
    return false;
  }
}

/** Calls onGone once when stdout's pipe has no reader left. Returns a function that stops watching. */
export function watchPipeReader(onGone: () => void, intervalMs = 500): () => void {
  if (process.platform !== 'linux') return () => {};
  let link: string;
  try {
    if (!fstatSync(1).isFIFO()) return () => {};
    link = readlinkSync('/proc/self/fd/1');
  } catch {
    return () => {};
  }
  let reader: Holder | null = null;
  let seen = false;
  const check = () => {
    if (reader && stillHolds(reader, link)) return;
    reader = findReader(link);
    if (reader) seen = true;
    else if (seen) {
      clearInterval(timer);
      onGone();
    }
  };
  const timer = setInterval(check, intervalMs);
  timer.unref();
  check();
  return () => clearInterval(timer);
}
