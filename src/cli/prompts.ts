// `tracetop prompts [--json]`: every prompt, its versions and where each label points.
// `tracetop prompts NAME [--version N | --label L] [--json]`: one version's text or messages.

import { PromptNotFoundError, type PromptOverview, type PromptVersion } from '../ports/prompts.js';
import { fitWidth, sanitizeLine, sanitizeText, terminalSafeJson } from '../domain/sanitize.js';
import { PromptClient } from '../api/prompts.js';
import { connect } from './connect.js';
import type { CliFlags } from './flags.js';
import { stderrLine } from './output.js';
import { UsageError } from './usage.js';

/** The stable shape of one `prompts --json` line (documented in the README). */
export function promptJsonLine(prompt: PromptOverview): string {
  return terminalSafeJson(
    JSON.stringify({ name: prompt.name, versions: prompt.versions, labels: prompt.labels, type: prompt.type, tags: prompt.tags, lastUpdatedAt: prompt.lastUpdatedAt }),
  );
}

export function promptListLines(prompts: PromptOverview[], width = 120): string[] {
  const labelText = (p: PromptOverview) => Object.entries(p.labels).map(([label, version]) => `${label}=v${version}`).join(' ');
  const nameWidth = Math.max(12, Math.min(40, Math.max(0, ...prompts.map((p) => p.name.length))));
  const row = (cells: string[]) => sanitizeLine([fitWidth(cells[0]!, nameWidth), fitWidth(cells[1]!, 4), fitWidth(cells[2]!, 9, 'right'), fitWidth(cells[3]!, 24), cells[4]!].join('  '), width);
  return [
    row(['NAME', 'TYPE', 'VERSIONS', 'UPDATED', 'LABELS']),
    ...prompts.map((p) => row([p.name, p.type, String(p.versions.length), p.lastUpdatedAt.replace('T', ' ').slice(0, 19), labelText(p)])),
  ];
}

/** One version as JSON: the fields a script needs, prompt text or messages as stored. */
export function promptVersionJson(prompt: PromptVersion): string {
  return terminalSafeJson(
    JSON.stringify({
      name: prompt.name,
      version: prompt.version,
      type: prompt.type,
      labels: prompt.labels,
      tags: prompt.tags,
      commitMessage: prompt.commitMessage,
      config: prompt.config,
      prompt: prompt.prompt,
    }),
  );
}

/** One version as text: a header, then the text, or each message as `role:` and its content. */
export function promptVersionText(prompt: PromptVersion): string {
  const header = `${prompt.name} v${prompt.version} (${prompt.type})${prompt.labels.length ? ` [${prompt.labels.join(', ')}]` : ''}${prompt.commitMessage ? ` - ${prompt.commitMessage}` : ''}`;
  const body =
    typeof prompt.prompt === 'string'
      ? prompt.prompt
      : prompt.prompt.map((message) => ('content' in message ? `${message.role}:\n${message.content}` : `[placeholder: ${message.name}]`)).join('\n\n');
  return `${sanitizeText(header)}\n\n${sanitizeText(body, { keepNewlines: true, expandTabs: true })}\n`;
}

export async function promptsCommand(args: string[], flags: CliFlags): Promise<number> {
  const version = flags.version as number | undefined;
  const label = flags.label as string | undefined;
  const name = args[0];
  if (version !== undefined && label !== undefined) throw new UsageError('give --version or --label, not both', 'prompts');
  if (!name && (version !== undefined || label !== undefined)) throw new UsageError('--version and --label need a prompt NAME', 'prompts');
  const backend = await connect(flags, stderrLine);
  try {
    const prompts = new PromptClient(backend.client);
    if (!name) {
      const list = await prompts.listPrompts();
      if (flags.json) for (const prompt of list) process.stdout.write(`${promptJsonLine(prompt)}\n`);
      else for (const line of promptListLines(list, process.stdout.columns || 120)) process.stdout.write(`${line}\n`);
      return 0;
    }
    try {
      const selected = await prompts.getPrompt(name, version !== undefined ? { version } : label !== undefined ? { label } : {});
      process.stdout.write(flags.json ? `${promptVersionJson(selected)}\n` : promptVersionText(selected));
      return 0;
    } catch (error) {
      if (!(error instanceof PromptNotFoundError)) throw error;
      stderrLine(`tracetop: ${error.message}`);
      return 1;
    }
  } finally {
    await backend.close();
  }
}
