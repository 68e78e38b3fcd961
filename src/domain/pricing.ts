// USD per token for the models the seeds and the demo use. Langfuse computes cost from
// its model table when an SDK sends usage without cost; the embedded server does the
// same from this table so cost columns are not empty on a fresh machine.

interface ModelPrice {
  /** Matched against the observation's model name (Langfuse matches with a regex too). */
  match: RegExp;
  input: number;
  output: number;
}

const PRICES: ModelPrice[] = [
  { match: /^(openai\/)?gpt-4o-mini(-\d{4}-\d{2}-\d{2})?$/i, input: 0.15e-6, output: 0.6e-6 },
  { match: /^(openai\/)?gpt-4o(-\d{4}-\d{2}-\d{2})?$/i, input: 2.5e-6, output: 10e-6 },
  { match: /^(openai\/)?text-embedding-3-small$/i, input: 0.02e-6, output: 0 },
  { match: /^(openai\/)?text-embedding-3-large$/i, input: 0.13e-6, output: 0 },
  { match: /^mock-llm-v1$/i, input: 0, output: 0 },
];

export interface PriceQuote {
  input: number;
  output: number;
}

export function priceFor(model: string | null | undefined): PriceQuote | null {
  if (!model) return null;
  const found = PRICES.find((price) => price.match.test(model));
  return found ? { input: found.input, output: found.output } : null;
}

/** costDetails for a usage, as Langfuse derives it: per usage key plus `total`. */
export function costFromUsage(
  model: string | null | undefined,
  usage: Record<string, number>,
): Record<string, number> | null {
  const price = priceFor(model);
  if (!price) return null;
  const input = (usage.input ?? 0) * price.input;
  const output = (usage.output ?? 0) * price.output;
  return { input, output, total: input + output };
}
