// The flag parser on its own (no process): values, lists, switches and their negation, numbers,
// `--`, and the exact message for each mistake.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { flagTable, parseFlags } from '../../src/cli/flags.js';
import { editDistance, nearest, UsageError } from '../../src/cli/usage.js';
import { COMMANDS } from '../../src/cli/main.js';

const tail = flagTable(COMMANDS.tail!.flags);

describe('parseFlags', () => {
  it('reads values, repeated flags, switches, --no-x and numbers into camelCase keys', () => {
    const { flags, positionals } = parseFlags(
      ['--tag', 'a', '--tag=b', '--env', 'prod', '--app-version', '1.2', '--json', '--no-color', '--public-key', 'pk', 'x'],
      { ...tail, ...flagTable(['port']) },
      'tail',
    );
    assert.deepEqual(flags, { tag: ['a', 'b'], env: ['prod'], appVersion: '1.2', json: true, color: false, publicKey: 'pk' });
    assert.deepEqual(positionals, ['x']);
    assert.equal(parseFlags(['--port', '0'], flagTable(['port']), 'serve').flags.port, 0);
  });

  it('takes everything after -- as arguments, and a dash value written with =', () => {
    const { flags, positionals } = parseFlags(['--score=-x', '--', '--tag', '-1'], tail, 'tail');
    assert.deepEqual(flags, { score: ['-x'] });
    assert.deepEqual(positionals, ['--tag', '-1']);
  });

  it('names each mistake', () => {
    const error = (args: string[]) => {
      try {
        parseFlags(args, tail, 'tail');
      } catch (caught) {
        assert.ok(caught instanceof UsageError);
        assert.equal(caught.command, 'tail');
        return caught.message;
      }
      assert.fail(`no error for ${args.join(' ')}`);
    };
    assert.equal(error(['--tags', 'x']), 'unknown flag --tags for tracetop tail (did you mean --tag?)');
    assert.equal(error(['--tag']), '--tag needs a value: --tag TAG');
    assert.equal(error(['--tag', '']), '--tag needs a value: --tag TAG');
    assert.equal(error(['--user', '--json']), '--user needs a value, not the flag --json (for a value that starts with "-", write --user=--json)');
    assert.equal(error(['--json=no']), '--json takes no value (got --json=no)');
    assert.equal(error(['--queue', 'q']), 'tracetop tail does not take --queue');
    assert.equal(error(['-q']), 'unknown flag -q for tracetop tail');
    assert.equal(
      (() => {
        try {
          parseFlags(['--port', '65536'], flagTable(['port']), 'serve');
        } catch (caught) {
          return (caught as Error).message;
        }
      })(),
      '--port takes a whole number from 0 to 65535, not "65536"',
    );
  });
});

describe('did-you-mean', () => {
  it('finds near misses, swaps and prefixes, and nothing for unrelated words', () => {
    assert.equal(editDistance('tags', 'tag'), 1);
    assert.equal(editDistance('jsno', 'json'), 1);
    assert.equal(nearest('tags', ['tag', 'user']), 'tag');
    assert.equal(nearest('jsno', ['json']), 'json');
    assert.equal(nearest('obs', ['observation', 'comment']), 'observation');
    assert.equal(nearest('bogus', ['tag', 'user', 'json']), null);
  });

  it('every command in the table has a usage line, flags that exist, and a help text', async () => {
    const { COMMAND_HELP } = await import('../../src/cli/command-help.js');
    for (const [name, command] of Object.entries(COMMANDS)) {
      assert.ok(command.usage.startsWith('tracetop'), name);
      assert.doesNotThrow(() => flagTable(command.flags, command.own), name);
      if (name !== 'tui') assert.ok(COMMAND_HELP[command.help ?? name], `help for ${name}`);
    }
  });
});
