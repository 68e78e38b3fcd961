// The CLI's own lines on stdout/stderr. Whatever they carry from an argument, the environment or
// a backend (paths, hosts, ids, error bodies) may hold escape sequences: made inert first.

import { sanitizeText } from '../domain/sanitize.js';

export const stdoutLine = (line: string): void => void process.stdout.write(`${sanitizeText(line, { keepNewlines: true })}\n`);
export const stderrLine = (line: string): void => void process.stderr.write(`${sanitizeText(line, { keepNewlines: true })}\n`);
