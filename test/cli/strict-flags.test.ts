// Flags are strict, through the real binary: a typo, a flag another command takes, a flag at the
// end without its value, a value for a switch — each exits 2 before anything starts, naming the
// flag, with the command's usage and a did-you-mean for near misses.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/server.js';

describe('strict flags', () => {
  const home = tempDir();
  // Nothing may connect: a usage error comes before any backend. A dead host proves it (a
  // command that got as far as connecting would fail with exit 1, not 2).
  const env = {
    HOME: home.path,
    XDG_CONFIG_HOME: home.path,
    XDG_DATA_HOME: home.path,
    XDG_STATE_HOME: home.path,
    LANGFUSE_BASE_URL: 'http://127.0.0.1:9',
    LANGFUSE_PUBLIC_KEY: 'pk-lf-x',
    LANGFUSE_SECRET_KEY: 'sk-lf-x',
  };
  after(() => home.remove());

  const usageError = async (args: string[], message: RegExp, usage: RegExp) => {
    const result = await runCli(args, env);
    assert.equal(result.code, 2, `${args.join(' ')}: exit ${result.code}\n${result.stderr}`);
    assert.equal(result.stdout, '', `${args.join(' ')} wrote to stdout`);
    assert.match(result.stderr, message, args.join(' '));
    assert.match(result.stderr, usage, args.join(' '));
    return result.stderr;
  };

  it('a typo in any command is an error with a did-you-mean, never ignored', async () => {
    const cases: [string[], string, string, RegExp][] = [
      [['tail', '--json', '--tags', 'staging'], '--tags', '--tag', /Usage: tracetop tail/],
      [['score', 'id', 'groundedness', '0.5', '--coment', 'hi'], '--coment', '--comment', /Usage: tracetop score TRACE_ID NAME VALUE/],
      [['--tga', 'production'], '--tga', '--tag', /Usage: tracetop \[filters\]/],
      [['get', 'id', '--jsn'], '--jsn', '--json', /Usage: tracetop get TRACE_ID/],
      [['label', '--queu', 'triage'], '--queu', '--queue', /Usage: tracetop label --queue/],
      [['config', 'doctor', '--profil', 'x'], '--profil', '--profile', /Usage: tracetop config doctor/],
      [['serve', '--prot', '4000'], '--prot', '--port', /Usage: tracetop serve/],
      [['serve', '--no-streem'], '--no-streem', '--no-stream', /Usage: tracetop serve/],
      [['tail', '--releese', 'x'], '--releese', '--release', /Usage: tracetop tail/],
      [['top', '--bye', 'model'], '--bye', '--by', /Usage: tracetop top/],
    ];
    for (const [args, typo, meant, usage] of cases) {
      const stderr = await usageError(args, new RegExp(`unknown flag ${typo} .*\\(did you mean ${meant}\\?\\)`), usage);
      assert.ok(stderr.includes(`See tracetop ${args[0]!.startsWith('-') ? '--help' : `${args[0]} --help`}`), stderr);
    }
  });

  it('an unknown flag with nothing near, or another command\'s flag, is an error too', async () => {
    await usageError(['--bogus'], /unknown flag --bogus for tracetop\b/, /Usage: tracetop/);
    await usageError(['tail', '--comment', 'x'], /tracetop tail does not take --comment/, /Usage: tracetop tail/);
    await usageError(['tail', '--version'], /--app-version/, /Usage: tracetop tail/);
    await usageError(['tail', '-x'], /unknown flag -x/, /Usage: tracetop tail/);
    await usageError(['tail', '--observaton', 'x'], /unknown flag --observaton for tracetop tail \(--observation is not a flag of tail either\)/, /Usage: tracetop tail/);
  });

  it('a flag missing its value is an error, also when the next word is a flag', async () => {
    await usageError(['tail', '--tag'], /--tag needs a value: --tag TAG/, /Usage: tracetop tail/);
    await usageError(['tail', '--tag', '--json'], /--tag needs a value, not the flag --json/, /Usage: tracetop tail/);
    await usageError(['--tag='], /--tag needs a value/, /Usage: tracetop/);
    await usageError(['score', 'id', 'n', '1', '--comment'], /--comment needs a value/, /Usage: tracetop score/);
    await usageError(['serve', '--db'], /--db needs a value/, /Usage: tracetop serve/);
    await usageError(['tail', '--json=yes'], /--json takes no value/, /Usage: tracetop tail/);
  });

  it('numbers are checked and named: serve --port abc / 99999', async () => {
    await usageError(['serve', '--port', 'abc'], /--port takes a whole number from 0 to 65535, not "abc"/, /Usage: tracetop serve/);
    await usageError(['serve', '--port', '99999'], /--port takes a whole number from 0 to 65535, not "99999"/, /Usage: tracetop serve/);
    await usageError(['serve', '--port', '-1'], /--port needs a value, not the flag -1/, /Usage: tracetop serve/);
  });

  it('arguments are counted, and unknown commands get a did-you-mean', async () => {
    await usageError(['get'], /missing TRACE_ID/, /Usage: tracetop get/);
    await usageError(['score', 'id', 'name'], /missing VALUE/, /Usage: tracetop score/);
    await usageError(['get', 'a', 'b'], /unexpected argument "b"/, /Usage: tracetop get/);
    await usageError(['tail', 'production'], /unexpected argument "production"/, /Usage: tracetop tail/);
    await usageError(['serv'], /unknown command "serv" \(did you mean serve\?\)/, /See tracetop --help/);
    await usageError(['config', 'doctr'], /unknown config command "doctr"/, /Usage: tracetop config doctor/);
  });

  it('a malformed filter value is a usage error naming the flag', async () => {
    await usageError(['tail', '--level', 'fatal'], /--level: level: takes error or warning/, /Usage: tracetop tail/);
    await usageError(['tail', '--since', 'yesterday'], /--since/, /Usage: tracetop tail/);
  });

  it('--version, --help and each command\'s --help still work', async () => {
    const version = await runCli(['--version'], env);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
    const help = await runCli(['--help'], env);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Flags are strict/);
    for (const command of ['serve', 'tail', 'get', 'score', 'label', 'config']) {
      const own = await runCli([command, '--help'], env);
      assert.equal(own.code, 0, own.stderr);
      assert.match(own.stdout, new RegExp(`Usage: tracetop ${command}`));
    }
    const score = await runCli(['score', '-h'], env);
    assert.match(score.stdout, /Exit codes\n\s+0\s+stored/);
  });
});
