// `tracetop compare DATASET BASE_RUN NEW_RUN [--json] [--gate EXPR]...`: two runs side by side,
// and gates for CI: every gate is printed with its figures; exit 1 when one fails, 0 when all
// pass, 2 for a malformed gate (checked before anything is fetched).

import { DatasetClient } from '../api/datasets.js';
import { evaluateGate, GateSyntaxError, parseGate, type Gate } from '../domain/experiments.js';
import { useColour } from './colour.js';
import { connect } from './connect.js';
import type { CliFlags } from './flags.js';
import { ANSI_STYLE, comparisonJsonText, formatComparison, formatGate, PLAIN_STYLE } from './format-experiments.js';
import { stderrLine } from './output.js';
import { UsageError } from './usage.js';

export function parseGates(expressions: readonly string[]): Gate[] {
  return expressions.map((expr) => {
    try {
      return parseGate(expr);
    } catch (error) {
      if (error instanceof GateSyntaxError) throw new UsageError(error.message, 'compare');
      throw error;
    }
  });
}

export async function compareCommand(args: string[], flags: CliFlags): Promise<number> {
  const [dataset, baseRun, newRun] = args as [string, string, string];
  const gates = parseGates(flags.gate ?? []);
  const backend = await connect(flags, stderrLine);
  try {
    const comparison = await new DatasetClient(backend.client).loadComparison(dataset, baseRun, newRun);
    const style = useColour(flags) ? ANSI_STYLE : PLAIN_STYLE;
    if (flags.json) process.stdout.write(comparisonJsonText(comparison));
    else process.stdout.write(formatComparison(comparison, { width: process.stdout.columns || 120, style }));
    const results = gates.map((gate) => evaluateGate(gate, comparison));
    // With --json, stdout holds only the object: the gates go to stderr.
    const print = flags.json ? (line: string) => process.stderr.write(`${line}\n`) : (line: string) => process.stdout.write(`${line}\n`);
    if (results.length > 0 && !flags.json) print('');
    for (const result of results) print(formatGate(result, flags.json ? PLAIN_STYLE : style));
    return results.every((result) => result.pass) ? 0 : 1;
  } finally {
    await backend.close();
  }
}
