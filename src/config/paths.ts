// Where tracetop keeps things, per the XDG base-directory spec.

import { homedir } from 'node:os';
import { join } from 'node:path';

const xdg = (variable: string, fallback: string[]): string => {
  const value = process.env[variable];
  return value && value.startsWith('/') ? join(value, 'tracetop') : join(homedir(), ...fallback, 'tracetop');
};

/** The embedded backend's database and generated keys. */
export const dataDir = (): string => xdg('XDG_DATA_HOME', ['.local', 'share']);
/** Durable queues (pending scores) and filter history. */
export const stateDir = (): string => xdg('XDG_STATE_HOME', ['.local', 'state']);
/** Profiles. */
export const configDir = (): string => xdg('XDG_CONFIG_HOME', ['.config']);

export const defaultDbPath = (): string => join(dataDir(), 'tracetop.db');
export const keysPath = (): string => join(dataDir(), 'keys.json');

/** Where `tracetop serve` listens, and where the TUI looks for it, unless told otherwise. */
export const DEFAULT_PORT = 3939;
