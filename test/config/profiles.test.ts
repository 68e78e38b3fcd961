import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig, resolveSettings } from '../../src/config/profiles.js';

const config = parseConfig(`
default_profile = "local"

[profiles.local]
host = "http://127.0.0.1:3939"
public_key = "pk-lf-local"
secret_key_env = "LOCAL_SECRET"

[profiles.prod]
host = "https://cloud.langfuse.com/"
public_key = "pk-lf-prod"
secret_key_command = "printf 'sk-lf-from-command\\n'"
filter = "tag:production"
theme = "light"
`);

describe('profiles', () => {
  it('resolves flags > env > profile > defaults', () => {
    const fromProfile = resolveSettings({ profile: 'prod' }, {}, config);
    assert.equal(fromProfile.host, 'https://cloud.langfuse.com');
    assert.equal(fromProfile.secretKey, 'sk-lf-from-command');
    assert.equal(fromProfile.filterText, 'tag:production');
    assert.equal(fromProfile.theme, 'light');
    assert.deepEqual(fromProfile.sources, { host: 'profile', publicKey: 'profile', secretKey: 'profile', filterText: 'profile' });

    const envWins = resolveSettings({ profile: 'prod' }, { LANGFUSE_HOST: 'https://eu.example', LANGFUSE_SECRET_KEY: 'sk-env' }, config);
    assert.equal(envWins.host, 'https://eu.example');
    assert.equal(envWins.secretKey, 'sk-env');
    assert.equal(envWins.sources.host, 'env');

    const baseUrlBeatsHost = resolveSettings({}, { LANGFUSE_BASE_URL: 'https://a', LANGFUSE_HOST: 'https://b' }, { profiles: {} });
    assert.equal(baseUrlBeatsHost.host, 'https://a');

    const flagWins = resolveSettings({ profile: 'prod', host: 'http://flag' }, { LANGFUSE_HOST: 'https://eu.example' }, config);
    assert.equal(flagWins.host, 'http://flag');
    assert.equal(flagWins.sources.host, 'flag');
  });

  it('picks the profile from --profile, then TRACETOP_PROFILE, then default_profile', () => {
    assert.equal(resolveSettings({}, {}, config).profile, 'local');
    assert.equal(resolveSettings({}, { TRACETOP_PROFILE: 'prod' }, config).profile, 'prod');
    assert.equal(resolveSettings({ profile: 'local' }, { TRACETOP_PROFILE: 'prod' }, config).profile, 'local');
    assert.equal(resolveSettings({}, { LOCAL_SECRET: 'sk-local' }, config).secretKey, 'sk-local');
  });

  it('explains an unknown profile, key or bad file', () => {
    assert.throws(() => resolveSettings({ profile: 'staging' }, {}, config), /no profile "staging".*profiles: local, prod/);
    assert.throws(() => parseConfig('[profiles.x]\nhots = "h"'), (error: unknown) => error instanceof ConfigError && /unknown key "hots"/.test((error as Error).message));
    assert.throws(() => parseConfig('this is = = not toml'), ConfigError);
  });

  it('reports a failing secret command without its output', () => {
    const broken = parseConfig('[profiles.x]\nsecret_key_command = "echo sk-leak >&2; exit 3"');
    assert.throws(
      () => resolveSettings({ profile: 'x' }, {}, broken),
      (error: unknown) => /failed \(exit 3\)/.test((error as Error).message) && !(error as Error).message.includes('sk-leak'),
    );
  });
});
