// tracetop's files are private whatever created them (issue 15): keys from the environment
// used to leave the data directory 0755 and tracetop.db/-wal/-shm 0644. Directories tracetop
// creates are 0700 and its files 0600 even under umask 0; its own data directory and an older
// database are tightened; a directory the user named with --db is left as it is.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../../src/server/index.js';
import { resolveServerKeys } from '../../src/server/keys.js';
import { TEST_KEYS, tempDir } from '../helpers/server.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('file modes', () => {
  const home = tempDir('tracetop-modes-');
  let umask = 0;
  const savedXdg = process.env.XDG_DATA_HOME;
  before(() => {
    umask = process.umask(0);
    process.env.XDG_DATA_HOME = home.path;
  });
  after(() => {
    process.umask(umask);
    if (savedXdg === undefined) delete process.env.XDG_DATA_HOME;
    else process.env.XDG_DATA_HOME = savedXdg;
    home.remove();
  });

  const ingestOne = async (url: string) => {
    const response = await fetch(`${url}/api/public/ingestion`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${TEST_KEYS.publicKey}:${TEST_KEYS.secretKey}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ batch: [{ id: 'fm-1', type: 'trace-create', timestamp: '2026-11-24T10:00:00Z', body: { id: 'fm-t', input: 'secret prompt' } }] }),
    });
    assert.equal(response.status, 207);
  };

  it('a database in a new directory (keys from the environment): dir 0700, db/-wal/-shm 0600 under umask 0', async () => {
    const dbPath = join(home.path, 'tracetop', 'nested', 'tracetop.db');
    const server = await startServer({ dbPath, port: 0, ...TEST_KEYS });
    await ingestOne(server.url);
    for (const file of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) {
      assert.ok(existsSync(file), file);
      assert.equal(mode(file).toString(8), '600', file);
    }
    assert.equal(mode(join(home.path, 'tracetop', 'nested')).toString(8), '700');
    assert.equal(mode(join(home.path, 'tracetop')).toString(8), '700');
    await server.close();
  });

  it('tracetop\'s own data directory and an older world-readable database are tightened', async () => {
    const own = join(home.path, 'tracetop');
    chmodSync(own, 0o755);
    const dbPath = join(own, 'tracetop.db');
    writeFileSync(dbPath, '', { mode: 0o644 });
    writeFileSync(`${dbPath}-wal`, '', { mode: 0o644 });
    const server = await startServer({ dbPath, port: 0, ...TEST_KEYS });
    await ingestOne(server.url);
    assert.equal(mode(own).toString(8), '700');
    for (const file of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) assert.equal(mode(file).toString(8), '600', file);
    await server.close();
  });

  it('--db in a directory the user owns and named: the directory is left, the files are 0600', async () => {
    const dir = join(home.path, 'shared-dir');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const dbPath = join(dir, 'x.db');
    const server = await startServer({ dbPath, port: 0, ...TEST_KEYS });
    await ingestOne(server.url);
    assert.equal(mode(dir).toString(8), '755');
    for (const file of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) assert.equal(mode(file).toString(8), '600', file);
    await server.close();
  });

  it('a generated key file is 0600 in a 0700 directory; a loosened one is tightened when read', () => {
    const keysFile = join(home.path, 'keys-dir', 'keys.json');
    const generated = resolveServerKeys({ env: {}, keysFile });
    assert.equal(generated.source, 'generated');
    assert.equal(mode(keysFile).toString(8), '600');
    assert.equal(mode(join(home.path, 'keys-dir')).toString(8), '700');
    chmodSync(keysFile, 0o644);
    chmodSync(join(home.path, 'keys-dir'), 0o755);
    const read = resolveServerKeys({ env: {}, keysFile });
    assert.equal(read.source, 'file');
    assert.equal(mode(keysFile).toString(8), '600');
    assert.equal(mode(join(home.path, 'keys-dir')).toString(8), '700');
  });
});
