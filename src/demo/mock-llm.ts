// mock-llm-v1: a deterministic stand-in for a model, so the demo needs no keys and no network.

const CAPITALS: Record<string, string> = {
  France: 'Paris', Germany: 'Berlin', Italy: 'Rome', Spain: 'Madrid', Portugal: 'Lisbon', Japan: 'Tokyo',
  Canada: 'Ottawa', Australia: 'Canberra', Brazil: 'Brasília', Argentina: 'Buenos Aires', Egypt: 'Cairo',
  Kenya: 'Nairobi', India: 'New Delhi', China: 'Beijing', Mexico: 'Mexico City', Norway: 'Oslo',
  Sweden: 'Stockholm', Finland: 'Helsinki', Poland: 'Warsaw', Greece: 'Athens', Turkey: 'Ankara',
  Peru: 'Lima', Chile: 'Santiago', Nigeria: 'Abuja', Vietnam: 'Hanoi', Thailand: 'Bangkok',
  Ireland: 'Dublin', Austria: 'Vienna', Switzerland: 'Bern', Netherlands: 'Amsterdam',
};

export const COUNTRIES = Object.keys(CAPITALS);

const CANNED =
  'Retrieval-augmented generation first embeds the question, finds the closest documents in a vector index, reranks them, and then asks the model to answer from those documents only, citing them.';

export interface MockCompletion {
  text: string;
  usage: { input: number; output: number; total: number };
  ttftMs: number;
  latencyMs: number;
}

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** A stable small hash: the same prompt always takes the same time. */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function mockLlm(prompt: string): MockCompletion {
  const country = COUNTRIES.find((name) => prompt.includes(name));
  const text = country ? `The capital of ${country} is ${CAPITALS[country]}.` : CANNED;
  const input = Math.max(1, Math.round(words(prompt) * 1.3));
  const output = Math.max(1, Math.round(words(text) * 1.3));
  const h = hash(prompt);
  return { text, usage: { input, output, total: input + output }, ttftMs: 80 + (h % 220), latencyMs: 300 + (h % 900) + output * 8 };
}
