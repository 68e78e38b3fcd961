// The demo's prompt registry: `support-agent` in two versions — v1 terse, v2 polite and grounded
// (compiled with company=Acme, tone=polite), `production` on v2 — and which version each demo
// generation links to. The traffic is split between them so that `top` by prompt shows v2 with
// better groundedness and fewer errors; and now and then one model has an error burst that
// `top` by model makes obvious.

import { compilePrompt } from '../domain/prompts.js';

export const DEMO_PROMPT = 'support-agent';
export const DEMO_VARIABLES = { company: 'Acme', tone: 'polite' };

export const DEMO_PROMPT_VERSIONS = [
  {
    name: DEMO_PROMPT,
    type: 'text',
    prompt: 'Answer the question: {{question}}',
    labels: [] as string[],
    tags: ['support', 'demo'],
    config: { model: 'gpt-4o-mini', temperature: 0.7 },
    commitMessage: 'first draft: terse',
  },
  {
    name: DEMO_PROMPT,
    type: 'text',
    prompt:
      'You are a {{tone}} support agent for {{company}}.\nAnswer only from the retrieved documents and cite them; say so when they do not contain the answer.\n\nQuestion: {{question}}',
    labels: ['production'],
    tags: ['support', 'demo'],
    config: { model: 'gpt-4o-mini', temperature: 0.2 },
    commitMessage: 'polite and grounded: answer from the documents only',
  },
] as const;

/** Creates the two versions once (a second demo run against the same server leaves them). */
export async function seedDemoPrompts(post: (path: string, body: unknown, method?: string) => Promise<{ status: number; body: any }>): Promise<void> {
  const existing = await post(`/api/public/v2/prompts?name=${encodeURIComponent(DEMO_PROMPT)}`, undefined, 'GET');
  if ((existing.body?.data ?? []).length > 0) return;
  for (const version of DEMO_PROMPT_VERSIONS) await post('/api/public/v2/prompts', version);
}

/** A small integer hash → [0, 1): the link depends on the trace's number only, so the scenario's
 * own random sequence is untouched. */
function unit(n: number, salt: number): number {
  let x = Math.imul(n ^ salt, 0x9e3779b1) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
}

/** The burst: for 90 seconds of every 10 minutes, gpt-4o-mini fails most of its calls. */
export const BURST_MODEL = 'gpt-4o-mini';
export const inBurst = (atMs: number): boolean => atMs % 600_000 < 90_000;

export interface DemoPromptLink {
  promptName: string;
  promptVersion: 1 | 2;
  /** The compiled prompt as the generation's system message. */
  system: string;
  /** This generation fails (v1 fails more often; the burst model fails in a burst). */
  fails: boolean;
  /** Added to the groundedness score (v1 is less grounded). */
  groundednessShift: number;
}

/** Which version trace number `n` uses (v2 takes two thirds of the traffic), and what follows. */
export function demoPromptLink(n: number, atMs: number, model: string, question: string): DemoPromptLink {
  const version = unit(n, 0x51) < 0.34 ? 1 : 2;
  const template = DEMO_PROMPT_VERSIONS[version - 1]!.prompt;
  const system = compilePrompt(template, { ...DEMO_VARIABLES, question }) as string;
  const failRate = (version === 1 ? 0.1 : 0.01) + (model === BURST_MODEL && inBurst(atMs) ? 0.6 : 0);
  return { promptName: DEMO_PROMPT, promptVersion: version, system, fails: unit(n, 0xe4) < failRate, groundednessShift: version === 1 ? -0.3 : 0 };
}
