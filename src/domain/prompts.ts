// Prompts as Langfuse's prompt registry keeps them: named, versioned, labelled. Pure types and
// the two text operations every consumer needs (a template's variables, and compiling it the
// way the official SDKs do: `{{name}}` replaced, unknown variables left as written).

export type PromptType = 'text' | 'chat';

/** A chat message of a chat prompt; a placeholder stands for a list of messages given at compile time. */
export type ChatMessage =
  | { type?: 'chatmessage'; role: string; content: string }
  | { type: 'placeholder'; name: string };

/** One version of a prompt as `GET /v2/prompts/{name}` returns it. */
export interface PromptVersion {
  name: string;
  version: number;
  type: PromptType;
  /** The text of a text prompt, or the messages of a chat prompt. */
  prompt: string | ChatMessage[];
  config: unknown;
  labels: string[];
  tags: string[];
  commitMessage: string | null;
  createdAt?: string;
  updatedAt?: string;
}

/** A prompt with all its versions at a glance (the list, plus which version each label points at). */
export interface PromptOverview {
  name: string;
  type: PromptType;
  /** Version numbers, ascending. */
  versions: number[];
  /** label → version; `latest` is the newest version. */
  labels: Record<string, number>;
  tags: string[];
  lastUpdatedAt: string;
}

/** How a version is chosen: a number, or a label (default `production`). */
export type PromptSelector = { version: number } | { label: string } | Record<string, never>;

/** Variable names in `{{ name }}` placeholders, in order of first appearance. */
export function promptVariables(prompt: string | ChatMessage[]): string[] {
  const texts = typeof prompt === 'string' ? [prompt] : prompt.map((m) => ('content' in m ? m.content : ''));
  const names: string[] = [];
  for (const text of texts) {
    for (const match of text.matchAll(/\{\{\s*([\w.-]+)\s*\}\}/g)) {
      if (!names.includes(match[1]!)) names.push(match[1]!);
    }
  }
  return names;
}

/** Splits a text into literal parts and variables (for highlighting). */
export function templateParts(text: string): { text: string; variable: boolean }[] {
  const parts: { text: string; variable: boolean }[] = [];
  let last = 0;
  for (const match of text.matchAll(/\{\{\s*[\w.-]+\s*\}\}/g)) {
    if (match.index! > last) parts.push({ text: text.slice(last, match.index), variable: false });
    parts.push({ text: match[0], variable: true });
    last = match.index! + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), variable: false });
  return parts;
}

const compileText = (text: string, variables: Record<string, string>): string =>
  text.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(variables, name) ? String(variables[name]) : whole,
  );

/** Compiles a prompt like the SDKs' `compile(variables)`. */
export function compilePrompt(prompt: string | ChatMessage[], variables: Record<string, string>): string | ChatMessage[] {
  if (typeof prompt === 'string') return compileText(prompt, variables);
  return prompt.map((m) => ('content' in m ? { ...m, content: compileText(m.content, variables) } : m));
}

/** A version's content as plain lines (chat messages as `role: content`), for display and diffs. */
export function promptLines(prompt: string | ChatMessage[]): string[] {
  if (typeof prompt === 'string') return prompt.split('\n');
  return prompt.flatMap((m) => ('content' in m ? `${m.role}: ${m.content}`.split('\n') : [`[placeholder ${m.name}]`]));
}
