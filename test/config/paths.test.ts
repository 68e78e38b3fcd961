// Where tracetop keeps its files: never relative to the directory it was started in.

import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { isAbsolute, join } from 'node:path';
import { userInfo } from 'node:os';
import { dataDir, keysPath, stateDir } from '../../src/config/paths.js';

const saved = { HOME: process.env.HOME, XDG_DATA_HOME: process.env.XDG_DATA_HOME, XDG_STATE_HOME: process.env.XDG_STATE_HOME };

describe('data and state directories', () => {
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('an empty or relative HOME falls back to the account home, not the working directory', () => {
    delete process.env.XDG_DATA_HOME;
    delete process.env.XDG_STATE_HOME;
    for (const home of ['', 'relative/home']) {
      process.env.HOME = home;
      assert.ok(isAbsolute(keysPath()), `keys at ${keysPath()} with HOME=${JSON.stringify(home)}`);
      assert.equal(dataDir(), join(userInfo().homedir, '.local', 'share', 'tracetop'));
      assert.equal(stateDir(), join(userInfo().homedir, '.local', 'state', 'tracetop'));
    }
  });

  it('XDG variables win when absolute; a relative one is ignored, as the spec says', () => {
    process.env.HOME = '/home/someone';
    process.env.XDG_DATA_HOME = '/srv/data';
    process.env.XDG_STATE_HOME = 'state';
    assert.equal(dataDir(), '/srv/data/tracetop');
    assert.equal(stateDir(), '/home/someone/.local/state/tracetop');
  });
});
