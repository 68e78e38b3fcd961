// The prompt registry's table: one row per version. Labels and tags are JSON arrays on the row
// (tags are the same on every version of a prompt, as in Langfuse).

export const PROMPTS_SCHEMA = `
CREATE TABLE IF NOT EXISTS prompts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  type TEXT NOT NULL,
  labels TEXT NOT NULL,
  tags TEXT NOT NULL,
  body TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  UNIQUE (name, version)
);
`;
