import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyTheme, theme } from '../../src/ui/theme.js';
import { resolveSettings, parseConfig } from '../../src/config/profiles.js';

describe('themes', () => {
  it('a light theme avoids colours that wash out on white, and the profile/flag picks it', () => {
    applyTheme('light');
    assert.notEqual(theme.warning, 'yellow');
    assert.notEqual(theme.accent, 'cyan');
    applyTheme('dark');
    assert.equal(theme.warning, 'yellow');
    const config = parseConfig('[profiles.p]\ntheme = "light"');
    assert.equal(resolveSettings({ profile: 'p' }, {}, config).theme, 'light');
    assert.equal(resolveSettings({ profile: 'p', theme: 'dark' }, {}, config).theme, 'dark');
    assert.throws(() => resolveSettings({ theme: 'neon' }, {}, config), /theme must be "dark" or "light"/);
  });
});
