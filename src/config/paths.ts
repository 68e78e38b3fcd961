// Where tracetop keeps things, per the XDG base-directory spec.

import { homedir, userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * The user's home: $HOME when it is an absolute path, else the account's home. An empty or
 * relative HOME (`env HOME= …`) would otherwise put the database, the generated keys and the
 * score queue under whatever directory tracetop was started in.
 */
function home(): string {
  const fromEnvironment = homedir();
  if (isAbsolute(fromEnvironment)) return fromEnvironment;
  try {
    const account = userInfo().homedir;
    if (isAbsolute(account)) return account;
  } catch {
    // No passwd entry (a container's arbitrary uid): fall through.
  }
  throw new Error('no home directory: HOME is empty or relative and the account has none; set HOME or XDG_DATA_HOME/XDG_STATE_HOME/XDG_CONFIG_HOME');
}

const xdg = (variable: string, fallback: string[]): string => {
  const value = process.env[variable];
  return value && value.startsWith('/') ? join(value, 'tracetop') : join(home(), ...fallback, 'tracetop');
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
