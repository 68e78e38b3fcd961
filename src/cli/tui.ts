// Placeholder until the TUI lands: the default command.
export async function tuiCommand(_flags: Record<string, unknown>): Promise<void> {
  process.stderr.write('tracetop: the TUI is not wired yet; try `tracetop serve`.\n');
  process.exitCode = 1;
}
