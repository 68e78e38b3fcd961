// Where ingestion runs: on a worker thread with its own connection to the database file (the
// main thread keeps answering health, reads and streams while a batch is parsed and written),
// with WAL checkpoints on a second one; or inline for an in-memory database, which a second
// connection cannot see.

import { Worker } from 'node:worker_threads';
import { HttpError } from '../http.js';
import type { Repository } from '../repository.js';
import { fromFailure, runWriteJob, type WriteDone, type WriteFailure, type WriteJob } from './write-job.js';

type Answer = { id: number; done: WriteDone } | { id: number; failure: WriteFailure } | { ready: true };

/** The worker's module beside this one: .ts when running from source (tsx carries over through
 * the inherited execArgv), .js when built. */
const WORKER_URL = new URL(`./write-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

export class Writer {
  private worker: Worker | null = null;
  private checkpointer: Worker | null = null;
  private ready = false;
  /** The worker could not start: jobs run inline from then on (said once on stderr). */
  private inline: boolean;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (done: WriteDone) => void; reject: (error: Error) => void }>();
  private closed = false;

  constructor(
    private readonly dbPath: string,
    private readonly repo: Repository,
  ) {
    this.inline = dbPath === ':memory:';
    if (!this.inline) {
      this.spawn();
      this.spawnCheckpointer();
    }
  }

  /** The main connection leaves checkpoints to the checkpoint thread (its own writes are small
   * and must not stop to copy a WAL the writer filled); should that thread stop, the writer's
   * backstop still bounds the WAL. */
  private spawnCheckpointer(): void {
    const worker = new Worker(WORKER_URL, { workerData: { dbPath: this.dbPath, role: 'checkpoint' } });
    this.checkpointer = worker;
    worker.once('message', () => this.repo.db.exec('PRAGMA wal_autocheckpoint = 0'));
    const stopped = (why: string) => {
      if (this.checkpointer !== worker) return;
      this.checkpointer = null;
      this.repo.db.exec('PRAGMA wal_autocheckpoint = 1000');
      if (!this.closed) process.emitWarning(`tracetop serve: the checkpoint thread stopped (${why}); checkpointing on commit`);
    };
    worker.on('error', (error) => stopped(String(error)));
    worker.on('exit', (code) => stopped(`exit ${code}`));
  }

  /** Runs a job; rejects with an HttpError, a SQLite error (errcode kept) or a 503 when the worker stopped. */
  run(job: WriteJob): Promise<WriteDone> {
    if (this.inline) return runWriteJob(this.repo, job);
    if (!this.worker) this.spawn();
    const id = this.nextId++;
    // A body that owns its whole ArrayBuffer moves without a copy; a slice of a pooled one is copied.
    const owned = job.body.byteOffset === 0 && job.body.byteLength === job.body.buffer.byteLength && job.body.buffer instanceof ArrayBuffer;
    return new Promise<WriteDone>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ id, job }, owned ? [job.body.buffer as ArrayBuffer] : []);
    });
  }

  private spawn(): void {
    const worker = new Worker(WORKER_URL, { workerData: { dbPath: this.dbPath, role: 'write' } });
    this.worker = worker;
    this.ready = false;
    worker.on('message', (answer: Answer) => {
      if ('ready' in answer) {
        this.ready = true;
        return;
      }
      const waiting = this.pending.get(answer.id);
      if (!waiting) return;
      this.pending.delete(answer.id);
      if ('done' in answer) waiting.resolve(answer.done);
      else waiting.reject(fromFailure(answer.failure));
    });
    const stopped = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      // Requests in flight learn it (503: the SDKs retry); the next one starts a new worker,
      // unless this one never started, in which case writes go inline from now on.
      if (this.closed) return;
      if (this.pending.size > 0) process.emitWarning(`tracetop serve: the write worker stopped (${why}) with ${this.pending.size} request(s) in flight`);
      const error = new HttpError(503, 'Service Unavailable', 'the server stopped while writing this request: it may be stored in part or not at all; retry (resent events are stored once)');
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
      if (!this.ready) {
        this.inline = true;
        process.emitWarning(`tracetop serve: the write worker did not start (${why}); writing on the main thread`);
      }
    };
    worker.on('error', (error) => stopped(String(error)));
    worker.on('exit', (code) => stopped(`exit ${code}`));
  }

  /** Lets the jobs in flight finish, then closes the worker's connection. */
  async close(): Promise<void> {
    this.closed = true;
    const checkpointer = this.checkpointer;
    this.checkpointer = null;
    if (checkpointer) {
      checkpointer.postMessage({ close: true });
      await new Promise<void>((resolve) => checkpointer.once('exit', () => resolve()));
    }
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ close: true });
    const timer = setTimeout(() => void worker.terminate(), 5_000);
    await exited;
    clearTimeout(timer);
    this.worker = null;
  }
}
