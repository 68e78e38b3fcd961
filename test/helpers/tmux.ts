// Drives the real tracetop binary in a detached tmux session, as a person at a terminal:
// send-keys to type, capture-pane to read what is on the screen.

import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { BIN } from './cli.js';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

export interface TmuxSession {
  name: string;
  screen(): string;
  /** The screen with its colours and styles, as SGR escapes. */
  styledScreen(): string;
  keys(...keys: string[]): void;
  waitFor(predicate: RegExp | ((screen: string) => boolean), timeoutMs?: number): Promise<string>;
  alive(): boolean;
  kill(): void;
}

export function startTmux(args: string[], options: { env?: Record<string, string>; width?: number; height?: number } = {}): TmuxSession {
  const name = `tracetop-test-${randomBytes(4).toString('hex')}`;
  const env = { NO_COLOR: '', TERM: 'xterm-256color', ...options.env };
  const envPrefix = Object.entries(env)
    .map(([key, value]) => `${key}=${shellQuote(value)}`)
    .join(' ');
  // `exec` so the pane closes when tracetop exits; the marker line shows its exit code first.
  const command = `env ${envPrefix} ${shellQuote(process.execPath)} ${shellQuote(BIN)} ${args.map(shellQuote).join(' ')}; echo "[exited $?]"; sleep 30`;
  execFileSync('tmux', [
    'new-session', '-d', '-s', name,
    '-x', String(options.width ?? 120), '-y', String(options.height ?? 40),
    command,
  ]);
  const session: TmuxSession = {
    name,
    screen: () => {
      try {
        return execFileSync('tmux', ['capture-pane', '-p', '-t', name], { encoding: 'utf8' });
      } catch {
        return '';
      }
    },
    styledScreen: () => {
      try {
        return execFileSync('tmux', ['capture-pane', '-p', '-e', '-t', name], { encoding: 'utf8' });
      } catch {
        return '';
      }
    },
    keys: (...keys) => {
      execFileSync('tmux', ['send-keys', '-t', name, ...keys]);
    },
    async waitFor(predicate, timeoutMs = 10_000) {
      const test = typeof predicate === 'function' ? predicate : (screen: string) => predicate.test(screen);
      const deadline = Date.now() + timeoutMs;
      let last = '';
      for (;;) {
        last = session.screen();
        if (test(last)) return last;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${predicate} on screen:\n${last}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    alive: () => spawnSync('tmux', ['has-session', '-t', name]).status === 0,
    kill: () => {
      spawnSync('tmux', ['kill-session', '-t', name]);
    },
  };
  return session;
}
