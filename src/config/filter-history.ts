// Recent filters, kept across runs (newest first) in the XDG state dir.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stateDir } from './paths.js';

export const filterHistoryPath = (): string => join(stateDir(), 'filter-history.json');

export function loadFilterHistory(path = filterHistoryPath()): string[] {
  try {
    const entries = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return Array.isArray(entries) ? entries.filter((entry): entry is string => typeof entry === 'string').slice(0, 50) : [];
  } catch {
    return [];
  }
}

export function saveFilterHistory(entries: string[], path = filterHistoryPath()): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${JSON.stringify(entries.slice(0, 50), null, 2)}\n`, { mode: 0o600 });
  } catch {
    // History is a convenience: a read-only state dir must not stop the TUI.
  }
}
