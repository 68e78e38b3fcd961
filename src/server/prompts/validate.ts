// The body of POST /v2/prompts checked as Langfuse's CreatePromptSchema does (text or chat;
// labels lowercase `^[a-z0-9_\-.]+$` up to 36 characters; commit message up to 500).

import type { ChatMessage } from '../../domain/prompts.js';
import type { NewPrompt } from './store.js';

export const LABEL_PATTERN = /^[a-z0-9_\-.]+$/;
export const MAX_LABEL_LENGTH = 36;
export const MAX_NAME_LENGTH = 255;
export const MAX_COMMIT_MESSAGE = 500;
const MAX_MESSAGES = 1_000;

export interface Issue {
  code: string;
  path: (string | number)[];
  message: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function labelIssue(label: unknown, path: (string | number)[]): Issue | null {
  if (typeof label !== 'string') return { code: 'invalid_type', path, message: 'Invalid input: expected string' };
  if (label.length < 1 || label.length > MAX_LABEL_LENGTH) {
    return { code: label.length < 1 ? 'too_small' : 'too_big', path, message: `Label must be 1 to ${MAX_LABEL_LENGTH} characters` };
  }
  if (!LABEL_PATTERN.test(label)) {
    return { code: 'invalid_format', path, message: 'Label must be lowercase alphanumeric with optional underscores, hyphens, or periods' };
  }
  return null;
}

function nameIssue(name: unknown): Issue | null {
  const path = ['name'];
  if (typeof name !== 'string') return { code: 'invalid_type', path, message: 'Invalid input: expected string' };
  if (name.trim() === '') return { code: 'too_small', path, message: 'Prompt name cannot be empty' };
  if (name.length > MAX_NAME_LENGTH) return { code: 'too_big', path, message: `Prompt name must be at most ${MAX_NAME_LENGTH} characters` };
  if (name.includes('|')) return { code: 'invalid_format', path, message: "Prompt name cannot contain '|' character" };
  if (/[<>]/.test(name)) return { code: 'custom', path, message: 'Text cannot contain HTML tags' };
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) {
    return { code: 'custom', path, message: 'Folder paths cannot start or end with a slash or contain empty segments' };
  }
  if (name === 'new') return { code: 'custom', path, message: "Prompt name cannot be 'new'" };
  return null;
}

function messagesIssue(prompt: unknown): Issue | null {
  if (!Array.isArray(prompt)) return { code: 'invalid_type', path: ['prompt'], message: 'Invalid input: expected array' };
  if (prompt.length > MAX_MESSAGES) return { code: 'too_big', path: ['prompt'], message: `at most ${MAX_MESSAGES} messages` };
  for (const [index, message] of prompt.entries()) {
    const path = ['prompt', index];
    if (!isObject(message)) return { code: 'invalid_type', path, message: 'Invalid input: expected object' };
    if (message.type === 'placeholder') {
      if (typeof message.name !== 'string' || message.name === '') return { code: 'invalid_type', path: [...path, 'name'], message: 'a placeholder needs a name' };
      continue;
    }
    if (message.type !== undefined && message.type !== null && message.type !== 'chatmessage') {
      return { code: 'invalid_value', path: [...path, 'type'], message: 'type must be chatmessage or placeholder' };
    }
    if (typeof message.role !== 'string') return { code: 'invalid_type', path: [...path, 'role'], message: 'Invalid input: expected string' };
    if (typeof message.content !== 'string') return { code: 'invalid_type', path: [...path, 'content'], message: 'Invalid input: expected string' };
  }
  return null;
}

/** The new version, or the issues that make the body invalid. */
export function parseCreatePrompt(body: unknown): { ok: true; prompt: NewPrompt } | { ok: false; issues: Issue[] } {
  if (!isObject(body)) return { ok: false, issues: [{ code: 'invalid_type', path: [], message: 'Invalid input: expected object' }] };
  const issues: Issue[] = [];
  const push = (issue: Issue | null) => issue && issues.push(issue);
  push(nameIssue(body.name));
  const type = body.type ?? 'text';
  if (type !== 'text' && type !== 'chat') push({ code: 'invalid_value', path: ['type'], message: 'type must be "text" or "chat"' });
  if (type === 'chat') push(messagesIssue(body.prompt));
  else if (typeof body.prompt !== 'string') push({ code: 'invalid_type', path: ['prompt'], message: 'Invalid input: expected string' });
  const labels = body.labels ?? [];
  if (!Array.isArray(labels)) push({ code: 'invalid_type', path: ['labels'], message: 'Invalid input: expected array' });
  else labels.forEach((label, index) => push(labelIssue(label, ['labels', index])));
  const tags = body.tags ?? null;
  if (tags !== null && (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string'))) {
    push({ code: 'invalid_type', path: ['tags'], message: 'Invalid input: expected array of strings' });
  }
  const commitMessage = body.commitMessage ?? null;
  if (commitMessage !== null && (typeof commitMessage !== 'string' || commitMessage.length > MAX_COMMIT_MESSAGE)) {
    push({ code: typeof commitMessage === 'string' ? 'too_big' : 'invalid_type', path: ['commitMessage'], message: `commitMessage must be a string of at most ${MAX_COMMIT_MESSAGE} characters` });
  }
  if (issues.length) return { ok: false, issues };
  return {
    ok: true,
    prompt: {
      name: body.name as string,
      type: type as 'text' | 'chat',
      prompt: body.prompt as string | ChatMessage[],
      config: body.config === undefined || body.config === null ? {} : body.config,
      labels: labels as string[],
      tags: tags as string[] | null,
      commitMessage: commitMessage as string | null,
    },
  };
}
