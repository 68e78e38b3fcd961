// Copies text to the clipboard of the terminal the user sits at — over SSH too — with OSC 52
// (wrapped for tmux/screen, which would otherwise swallow it).
const MAX_ENCODED = 74_994;

export function osc52(text: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const encoded = Buffer.from(text, 'utf8').toString('base64');
  if (encoded.length > MAX_ENCODED) return null;
  const sequence = `\x1b]52;c;${encoded}\x07`;
  if (env.TMUX) return `\x1bPtmux;${sequence.replace(/\x1b/g, '\x1b\x1b')}\x1b\\`;
  if (env.TERM?.startsWith('screen')) return `\x1bP${sequence}\x1b\\`;
  return sequence;
}

export function copyToClipboard(text: string, write: (data: string) => void = (data) => process.stdout.write(data)): boolean {
  const sequence = osc52(text);
  if (!sequence) return false;
  write(sequence);
  return true;
}
