// `tracetop prompts` through the real binary: one JSON line per prompt (versions, where each
// label points), one version's text or messages, a missing prompt, hostile text made inert.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { backendEnv, startTestServer, tempDir, type TestServer } from '../helpers/server.js';

describe('tracetop prompts (the real binary)', () => {
  let server: TestServer;
  const home = tempDir('tracetop-prompts-');
  const cli = (...args: string[]) => runCli(['prompts', ...args], backendEnv(home.path, server.url));

  before(async () => {
    server = await startTestServer();
    const create = async (body: unknown) => assert.equal((await server.post('/api/public/v2/prompts', body)).status, 201);
    await create({ name: 'support-agent', prompt: 'Answer {{question}}.', labels: ['production'], tags: ['support'], commitMessage: 'terse' });
    await create({ name: 'support-agent', prompt: 'You are a {{tone}} agent for {{company}}.\nCite the documents.', labels: ['staging'], commitMessage: 'polite and grounded' });
    await create({ name: 'chat\u001b[2J', type: 'chat', prompt: [{ role: 'system', content: 'Be brief.\u001b]0;pwned\u0007' }, { type: 'placeholder', name: 'history' }] });
  });
  after(async () => {
    await server.close();
    home.remove();
  });

  it('--json: one line per prompt, labels as label → version', async () => {
    const result = await cli('--json');
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(lines.map((line) => Object.keys(line)), [
      ['name', 'versions', 'labels', 'type', 'tags', 'lastUpdatedAt'],
      ['name', 'versions', 'labels', 'type', 'tags', 'lastUpdatedAt'],
    ]);
    const support = lines.find((line) => line.name === 'support-agent');
    assert.deepEqual(support.versions, [1, 2]);
    assert.deepEqual(support.labels, { latest: 2, production: 1, staging: 2 });
    assert.equal(support.type, 'text');
    assert.deepEqual(support.tags, ['support']);
    assert.doesNotMatch(result.stdout, /\u001b/);
  });

  it('NAME: the production version by default; --version and --label choose another', async () => {
    const production = await cli('support-agent');
    assert.equal(production.code, 0, production.stderr);
    assert.match(production.stdout, /^support-agent v1 \(text\) \[production\] - terse\n\nAnswer \{\{question\}\}\.\n$/);
    const second = await cli('support-agent', '--version', '2', '--json');
    const body = JSON.parse(second.stdout);
    assert.equal(body.version, 2);
    assert.equal(body.prompt, 'You are a {{tone}} agent for {{company}}.\nCite the documents.');
    assert.deepEqual(body.labels.sort(), ['latest', 'staging']);
    const staging = await cli('support-agent', '--label', 'staging');
    assert.match(staging.stdout, /You are a \{\{tone\}\} agent/);
  });

  it('chat prompts print as messages, with escapes made inert', async () => {
    const result = await cli('chat\u001b[2J', '--label', 'latest');
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /[\u001b\u0007]/);
    assert.match(result.stdout, /system:\nBe brief\./);
    assert.match(result.stdout, /\[placeholder: history\]/);
  });

  it('a missing prompt or label exits 1; --version with --label is a usage error', async () => {
    const missing = await cli('nope');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /prompt 'nope' has no label 'production'/);
    const both = await cli('support-agent', '--version', '1', '--label', 'production');
    assert.equal(both.code, 2);
  });
});
