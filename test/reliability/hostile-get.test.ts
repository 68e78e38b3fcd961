// `tracetop get <id>` and `get --json` against a real embedded server seeded with the hostile
// corpus (test/fixtures/hostile): no crash, no escape, C1, BEL or bidi control from trace
// content in the bytes written, tree lines within the width, and --json is valid JSON that
// round-trips the content.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import stringWidth from 'string-width';
import { BIN, startCli } from '../helpers/cli.js';
import { backendEnv, startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { allCases, seedCorpus, type HostileCase } from '../fixtures/hostile/index.js';

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(chunks), stderr }));
  });
}

/** Bytes a terminal would act on: every C0 but \n, DEL, C1 (as UTF-8 code points), bidi and invisible format controls. */
const DANGEROUS = /[\x00-\x09\x0B-\x1F\x7F\u0080-\u009F\u061C\u200B\u200E\u200F\u2028-\u202E\u2060-\u206F\uFEFF]/u;
/** The SGR codes `get --color` itself writes (format-trace.ts ANSI style). */
const OWN_SGR = /\x1b\[(?:31|39|33|2|22|1)m/g;
const WITH_COLOUR = new Set(['hostile-csi', 'hostile-osc', 'hostile-wide', 'hostile-c1-c0']);

function assertInert(text: string, what: string) {
  const match = DANGEROUS.exec(text);
  assert.equal(match, null, `${what}: U+${match?.[0].codePointAt(0)!.toString(16).padStart(4, '0')} at ${match?.index}: ${JSON.stringify(text.slice(Math.max(0, (match?.index ?? 0) - 40), (match?.index ?? 0) + 40))}`);
}

/** Raw bytes: no 8-bit C1 byte that is not part of a UTF-8 sequence (the decoder would show U+FFFD). */
function assertValidUtf8(bytes: Buffer, what: string) {
  assert.doesNotThrow(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), `${what}: output is not valid UTF-8`);
}

describe('hostile corpus through `tracetop get`', { timeout: 120_000 }, () => {
  let server: TestServer;
  const home = tempDir();
  const cases: HostileCase[] = allCases();
  /** Each case's `get` and `get --json` output, for the checks after the per-case ones. */
  const outputs = new Map<string, { text: string; json: string }>();
  const env = () => ({ NO_COLOR: '1', ...backendEnv(home.path, server.url) });

  before(async () => {
    server = await startTestServer();
    await seedCorpus(server, cases);
  });
  after(async () => {
    await server.close();
    home.remove();
  });

  for (const entry of cases) {
    it(`${entry.id}: get, get --color and get --json stay inert (${entry.about.slice(0, 60)}…)`, async () => {
      const [text, json, colour] = await Promise.all([
        run(['get', entry.id], env()),
        run(['get', entry.id, '--json'], env()),
        // The colour run costs a process per case: only where colour wraps hostile lines.
        WITH_COLOUR.has(entry.id) ? run(['get', entry.id, '--color'], { ...env(), NO_COLOR: '', FORCE_COLOR: '1' }) : null,
      ]);

      // get (plain, piped): no escape at all.
      assert.equal(text.code, 0, text.stderr);
      assertValidUtf8(text.stdout, 'get');
      const plain = text.stdout.toString('utf8');
      assert.ok(!plain.includes('\x1b'), 'no ESC in piped output');
      assertInert(plain, 'get');
      assert.ok(plain.includes(`  trace ${entry.id}\n`), 'the detail heading names the trace');
      // The tree lines (the header up to the blank line) fit the width `get` uses when piped.
      const treeLines = plain.split('\n\n')[0]!.split('\n');
      assert.equal(treeLines.length, 1 + entry.observations.length, 'one line per observation: none lost, none repeated');
      for (const line of treeLines) assert.ok(stringWidth(line) <= 120, `tree line wider than 120: ${JSON.stringify(line)}`);

      // get --color: only the SGR codes get writes itself.
      if (colour) {
      assert.equal(colour.code, 0, colour.stderr);
      assertValidUtf8(colour.stdout, 'get --color');
      const coloured = colour.stdout.toString('utf8');
      const stripped = coloured.replace(OWN_SGR, '');
      assert.ok(!stripped.includes('\x1b'), `an ESC not from get's own colours: ${JSON.stringify(stripped.slice(Math.max(0, stripped.indexOf('\x1b') - 40), stripped.indexOf('\x1b') + 40))}`);
      assertInert(stripped, 'get --color');
      assert.equal(stripped, plain, 'colour changes nothing but the SGR codes');
      }

      // get --json: valid JSON, ASCII-safe for a terminal, the trace itself.
      assert.equal(json.code, 0, json.stderr);
      assertValidUtf8(json.stdout, 'get --json');
      const jsonText = json.stdout.toString('utf8');
      assertInert(jsonText, 'get --json');
      outputs.set(entry.id, { text: plain, json: jsonText });
      const parsed = JSON.parse(jsonText) as { id: string; observations: { id: string }[] };
      assert.equal(parsed.id, entry.id);
      assert.deepEqual(parsed.observations.map((o) => o.id).sort(), entry.observations.map((o) => o.id).sort());
    });
  }

  it('get --json round-trips hostile content exactly (escaped, not altered)', () => {
    const trace = JSON.parse(outputs.get('hostile-osc')!.json);
    const osc = cases.find((c) => c.id === 'hostile-osc')!;
    assert.deepEqual(trace.output, osc.trace.output);
    assert.equal(trace.name, osc.trace.name);
    const bidi = JSON.parse(outputs.get('hostile-bidi')!.json);
    assert.equal(bidi.name, cases.find((c) => c.id === 'hostile-bidi')!.trace.name);
    const invisible = JSON.parse(outputs.get('hostile-invisible-combining')!.json);
    assert.deepEqual(invisible.input, cases.find((c) => c.id === 'hostile-invisible-combining')!.trace.input);
  });

  it('get --json keeps own __proto__ keys as data and pollutes nothing', () => {
    const trace = JSON.parse(outputs.get('hostile-proto')!.json);
    assert.ok(Object.hasOwn(trace.input, '__proto__'));
    assert.deepEqual(trace.input['__proto__'], { polluted: true, toString: 'x' });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('get shows invalid UTF-8 as U+FFFD and the C1 it decoded to as a visible marker', () => {
    const text = outputs.get('hostile-invalid-utf8')!.text;
    assert.match(text, /bad \uFFFD+ bytes/);
    assert.match(text, /<U\+009B>31m/, 'the valid two-byte U+009B shows as a marker');
  });

  it('get shows durations of far-future, pre-1970 and hour-long spans in the duration column', () => {
    const text = outputs.get('hostile-time')!.text;
    assert.doesNotMatch(text, /\b60s\b|m60s/, 'no 60 seconds');
    assert.match(text, /far future\s+(?:1h0m|60m0s)/);
    assert.doesNotMatch(text, /latency\s+\d{7,}m/, 'a latency of 8,000 years in minutes');
  });

  it('tail and tail --json stay inert too', async () => {
    for (const args of [['tail'], ['tail', '--json']]) {
      const tail = startCli(args, env());
      try {
        await tail.waitFor(/hostile-wide|東京都/, 15_000);
      } finally {
        await tail.stop();
      }
      assertInert(tail.output(), args.join(' '));
    }
  });
});
