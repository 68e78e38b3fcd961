// The embedded server's two database threads, one module:
// - 'write': its own connection to the database file, one job at a time in the order they
//   came. Parsing, validating and writing a batch run here, so a 4 MB event never holds up
//   health, reads or streams on the main thread.
// - 'checkpoint': copies the WAL back into the database file (PRAGMA wal_checkpoint(PASSIVE),
//   which never blocks a writer or a reader) a few times a second, so neither the writer nor
//   the main thread waits on a checkpoint's copying and fsync in the middle of a commit.

import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db.js';
import { Repository } from '../repository.js';
import { runWriteJob, toFailure, type WriteJob } from './write-job.js';

/** WAL pages past which the writer checkpoints by itself: a backstop, should the checkpoint
 * thread fall behind or stop (SQLite's default is 1,000 pages, ~4 MB). */
export const WRITER_BACKSTOP_PAGES = 10_000;
export const CHECKPOINT_EVERY_MS = 200;

const { dbPath, role } = workerData as { dbPath: string; role: 'write' | 'checkpoint' };

if (role === 'checkpoint') {
  const db = new DatabaseSync(dbPath);
  db.exec('PRAGMA busy_timeout = 1000');
  const timer = setInterval(() => {
    try {
      db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or failing: the next tick tries again, and the writer's backstop bounds the WAL.
    }
  }, CHECKPOINT_EVERY_MS);
  parentPort!.on('message', () => {
    clearInterval(timer);
    db.close();
    parentPort!.close();
  });
  parentPort!.postMessage({ ready: true });
} else {
  const db = openDatabase(dbPath);
  db.exec(`PRAGMA wal_autocheckpoint = ${WRITER_BACKSTOP_PAGES}`);
  const repo = new Repository(db);
  let queue: Promise<unknown> = Promise.resolve();
  parentPort!.on('message', (message: { id: number; job: WriteJob } | { close: true }) => {
    if ('close' in message) {
      void queue.then(() => {
        db.close();
        parentPort!.close();
      });
      return;
    }
    queue = queue.then(async () => {
      try {
        parentPort!.postMessage({ id: message.id, done: await runWriteJob(repo, message.job) });
      } catch (error) {
        parentPort!.postMessage({ id: message.id, failure: toFailure(error) });
      }
    });
  });
  parentPort!.postMessage({ ready: true });
}
