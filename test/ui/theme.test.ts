import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyTheme, colourWanted, display, setColour, theme } from '../../src/ui/theme.js';
import { resolveSettings, parseConfig } from '../../src/config/profiles.js';

describe('themes', () => {
  it('a light theme avoids colours that wash out on white, and the profile/flag picks it', () => {
    const before = display.colour;
    setColour(true);
    applyTheme('light');
    assert.notEqual(theme.warning, 'yellow');
    assert.notEqual(theme.accent, 'cyan');
    applyTheme('dark');
    assert.equal(theme.warning, 'yellow');
    setColour(before);
    const config = parseConfig('[profiles.p]\ntheme = "light"');
    assert.equal(resolveSettings({ profile: 'p' }, {}, config).theme, 'light');
    assert.equal(resolveSettings({ profile: 'p', theme: 'dark' }, {}, config).theme, 'dark');
    assert.throws(() => resolveSettings({ theme: 'neon' }, {}, config), /theme must be "dark" or "light"/);
  });

  it('without colour every token is unset (no colour sequence reaches the screen), whichever theme', () => {
    const before = display.colour;
    setColour(false);
    applyTheme('light');
    for (const value of Object.values(theme)) assert.equal(value, undefined);
    applyTheme('dark');
    for (const value of Object.values(theme)) assert.equal(value, undefined);
    setColour(true);
    assert.equal(theme.error, 'red');
    setColour(before);
  });

  it('NO_COLOR (any non-empty value), --no-color, FORCE_COLOR=0 and TERM=dumb turn colour off; an empty NO_COLOR does not', () => {
    assert.equal(colourWanted({ NO_COLOR: '1' }, [], 2), false);
    assert.equal(colourWanted({ NO_COLOR: '' }, [], 2), true);
    assert.equal(colourWanted({}, ['node', 'tracetop', '--no-color'], 2), false);
    assert.equal(colourWanted({ FORCE_COLOR: '0' }, [], 2), false);
    assert.equal(colourWanted({ TERM: 'dumb' }, [], 2), false);
    assert.equal(colourWanted({}, [], 0), false, 'a terminal chalk finds colourless');
    assert.equal(colourWanted({ TERM: 'xterm-256color' }, [], 2), true);
  });
});
