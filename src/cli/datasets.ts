// `tracetop datasets [--json]` and `tracetop runs DATASET [--json]`: I/O around the pure
// formatters in format-experiments.ts.

import { DatasetClient } from '../api/datasets.js';
import { terminalSafeJson } from '../domain/sanitize.js';
import { connect } from './connect.js';
import type { CliFlags } from './flags.js';
import { formatDatasets, formatRuns } from './format-experiments.js';
import { stderrLine } from './output.js';

const width = () => process.stdout.columns || 120;
const json = (value: unknown) => process.stdout.write(`${terminalSafeJson(JSON.stringify(value, null, 2))}\n`);

export async function datasetsCommand(_args: string[], flags: CliFlags): Promise<number> {
  const backend = await connect(flags, stderrLine);
  try {
    const datasets = await new DatasetClient(backend.client).listDatasets();
    if (flags.json) json(datasets);
    else process.stdout.write(formatDatasets(datasets, width()));
    return 0;
  } finally {
    await backend.close();
  }
}

export async function runsCommand(args: string[], flags: CliFlags): Promise<number> {
  const dataset = args[0]!;
  const backend = await connect(flags, stderrLine);
  try {
    const runs = await new DatasetClient(backend.client).listRuns(dataset);
    if (flags.json) json(runs);
    else process.stdout.write(formatRuns(dataset, runs, width()));
    return 0;
  } finally {
    await backend.close();
  }
}
