// What the `/` query line will do, said before Enter: the conditions as the parser reads them
// ("tag production and name checkout-flow-3"), how many buffered traces match, and a warning
// where two conditions ran together ("tag:productionname:x" is one tag). Pure.

import { KEYS, parseFilter, type TraceFilter } from '../domain/filter-language.js';

/** Each condition of a filter in words, in the order the filter language prints them. */
export function conditionsInWords(filter: TraceFilter): string[] {
  const words: string[] = [];
  for (const tag of filter.tags) words.push(`tag ${tag}`);
  if (filter.user !== null) words.push(`user ${filter.user}`);
  if (filter.session !== null) words.push(`session ${filter.session}`);
  if (filter.name !== null) words.push(`name ${filter.name}`);
  if (filter.environments.length) words.push(`env ${filter.environments.join(' or ')}`);
  if (filter.level) words.push(filter.level === 'error' ? 'an error' : 'a warning or error');
  for (const score of filter.scores) words.push(`score ${score.name}${score.operator}${String(score.value)}`);
  if (filter.since) words.push(`the last ${filter.since}`);
  if (filter.from) words.push(`from ${filter.from}`);
  if (filter.to) words.push(`to ${filter.to}`);
  if (filter.release !== null) words.push(`release ${filter.release}`);
  if (filter.version !== null) words.push(`version ${filter.version}`);
  for (const text of filter.text) words.push(`text "${text}"`);
  return words;
}

const JOINED = new RegExp(`^([a-z]+):(\\S*?[^\\s:])(${KEYS.join('|')}):\\S`);

/** A token that is two conditions run together (`tag:productionname:x`): what it probably meant. */
export function joinedCondition(text: string): string | null {
  for (const token of text.split(/\s+/)) {
    const match = JOINED.exec(token);
    if (match && (KEYS as readonly string[]).includes(match[1]!)) return `"${token}" is one ${match[1]} value: a space before ${match[3]}:?`;
  }
  return null;
}

export interface QueryPreview {
  /** What Enter will do, in words. */
  text: string;
  kind: 'ok' | 'warning' | 'error';
}

export function previewQuery(text: string, matches: number | null, error: string | null): QueryPreview {
  if (error) return { text: `not a filter: ${error}`, kind: 'error' };
  const parsed = parseFilter(text);
  if (!parsed.ok) return { text: `not a filter: ${parsed.error.message}`, kind: 'error' };
  const count = matches ?? 0;
  const matching = `${count} buffered match${count === 1 ? '' : 'es'}`;
  const words = conditionsInWords(parsed.filter);
  const joined = joinedCondition(text);
  if (joined) return { text: `${matching}; ${joined}`, kind: 'warning' };
  if (words.length === 0) return { text: 'no filter: Enter shows every trace', kind: 'ok' };
  return { text: `${matching}; Enter keeps traces with ${words.join(' and ')}`, kind: 'ok' };
}
