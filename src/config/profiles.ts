// Named backends in $XDG_CONFIG_HOME/tracetop/config.toml, and the one precedence rule
// every setting follows: flags > environment > profile > defaults. A profile names where
// the secret comes from (an environment variable or a command such as `pass show …`)
// rather than holding it, unless the user insists with `secret_key`.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { configDir } from './paths.js';

export interface Profile {
  host?: string;
  public_key?: string;
  secret_key?: string;
  secret_key_env?: string;
  secret_key_command?: string;
  filter?: string;
  theme?: 'dark' | 'light';
  /** The Langfuse Cloud plan whose rate limits tracetop stays within: hobby, core, pro or none. */
  budget?: string;
}

export interface ConfigFile {
  default_profile?: string;
  profiles: Record<string, Profile>;
}

export type SettingSource = 'flag' | 'env' | 'profile' | 'default';

export interface Settings {
  profile: string | null;
  host: string | null;
  publicKey: string | null;
  secretKey: string | null;
  filterText: string;
  theme: 'dark' | 'light';
  /** The rate-limit plan (TRACETOP_BUDGET, then the profile's `budget`); null: tracetop's default for the host. */
  budget: string | null;
  sources: { host: SettingSource; publicKey: SettingSource; secretKey: SettingSource; filterText: SettingSource };
}

export class ConfigError extends Error {}

export const configPath = (): string => join(configDir(), 'config.toml');

const PROFILE_KEYS = new Set(['host', 'public_key', 'secret_key', 'secret_key_env', 'secret_key_command', 'filter', 'theme', 'budget']);

export function parseConfig(text: string, path = 'config.toml'): ConfigFile {
  let raw: Record<string, unknown>;
  try {
    raw = parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`${path}: ${(error as Error).message}`);
  }
  const profiles: Record<string, Profile> = {};
  const table = (raw.profiles ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(table)) {
    if (typeof value !== 'object' || value === null) throw new ConfigError(`${path}: [profiles.${name}] must be a table`);
    for (const [key, setting] of Object.entries(value)) {
      if (!PROFILE_KEYS.has(key)) {
        throw new ConfigError(`${path}: unknown key "${key}" in [profiles.${name}] (known: ${[...PROFILE_KEYS].join(', ')})`);
      }
      if (typeof setting !== 'string') throw new ConfigError(`${path}: profiles.${name}.${key} must be a string`);
    }
    const profile = value as Profile;
    if (profile.theme && profile.theme !== 'dark' && profile.theme !== 'light') {
      throw new ConfigError(`${path}: profiles.${name}.theme must be "dark" or "light"`);
    }
    profiles[name] = profile;
  }
  const defaultProfile = raw.default_profile;
  if (defaultProfile !== undefined && typeof defaultProfile !== 'string') {
    throw new ConfigError(`${path}: default_profile must be a string`);
  }
  return { default_profile: defaultProfile, profiles };
}

export function loadConfig(path = configPath()): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { profiles: {} };
  }
  return parseConfig(text, path);
}

function profileSecret(name: string, profile: Profile, env: NodeJS.ProcessEnv): string | null {
  if (profile.secret_key_env) return env[profile.secret_key_env] || null;
  if (profile.secret_key_command) {
    try {
      return execFileSync('/bin/sh', ['-c', profile.secret_key_command], {
        encoding: 'utf8',
        timeout: 10_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      }).trim();
    } catch (error) {
      // The command's own output may hold the secret: report only that it failed.
      const status = (error as { status?: number }).status;
      throw new ConfigError(`profile ${name}: secret_key_command failed${status === undefined ? '' : ` (exit ${status})`}`);
    }
  }
  return profile.secret_key ?? null;
}

export interface SettingFlags {
  profile?: string;
  host?: string;
  publicKey?: string;
  secretKey?: string;
  filter?: string;
  theme?: string;
}

export function resolveSettings(flags: SettingFlags, env: NodeJS.ProcessEnv, config: ConfigFile): Settings {
  const requested = flags.profile ?? env.TRACETOP_PROFILE ?? config.default_profile ?? null;
  if (requested && !config.profiles[requested]) {
    const known = Object.keys(config.profiles);
    throw new ConfigError(
      `no profile "${requested}" in ${configPath()}${known.length ? ` (profiles: ${known.join(', ')})` : ' (it has no profiles)'}`,
    );
  }
  const profile: Profile = requested ? (config.profiles[requested] as Profile) : {};
  const pick = <T>(flag: T | undefined, fromEnv: T | undefined, fromProfile: () => T | undefined | null, fallback: T): [T, SettingSource] => {
    if (flag !== undefined && flag !== '') return [flag, 'flag'];
    if (fromEnv !== undefined && fromEnv !== '') return [fromEnv, 'env'];
    const value = fromProfile();
    if (value !== undefined && value !== null && value !== '') return [value, 'profile'];
    return [fallback, 'default'];
  };
  const envHost = env.LANGFUSE_BASE_URL || env.LANGFUSE_BASEURL || env.LANGFUSE_HOST || undefined;
  const [host, hostSource] = pick<string | null>(flags.host, envHost, () => profile.host, null);
  const [publicKey, publicKeySource] = pick<string | null>(flags.publicKey, env.LANGFUSE_PUBLIC_KEY, () => profile.public_key, null);
  const [secretKey, secretKeySource] = pick<string | null>(
    flags.secretKey,
    env.LANGFUSE_SECRET_KEY,
    () => (requested ? profileSecret(requested, profile, env) : null),
    null,
  );
  const [filterText, filterSource] = pick<string>(flags.filter, env.TRACETOP_FILTER, () => profile.filter, '');
  const theme = (flags.theme ?? env.TRACETOP_THEME ?? profile.theme ?? 'dark') as string;
  if (theme !== 'dark' && theme !== 'light') throw new ConfigError(`theme must be "dark" or "light" (got "${theme}")`);
  return {
    profile: requested,
    host: host ? host.replace(/\/+$/, '') : null,
    publicKey,
    secretKey,
    filterText,
    theme,
    budget: env.TRACETOP_BUDGET || profile.budget || null,
    sources: { host: hostSource, publicKey: publicKeySource, secretKey: secretKeySource, filterText: filterSource },
  };
}
