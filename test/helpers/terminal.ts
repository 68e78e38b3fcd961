// A stdout for Ink that is a headless xterm: tests see what a terminal would show (and the
// exact bytes written), at a size they choose.

import { PassThrough, Writable } from 'node:stream';
import type { ReactElement } from 'react';
import { render } from 'ink';
import xterm from '@xterm/headless';

export const { Terminal } = xterm as unknown as { Terminal: typeof import('@xterm/headless').Terminal };

export class TerminalStream extends Writable {
  written = '';
  isTTY = true;
  constructor(
    readonly terminal: InstanceType<typeof Terminal>,
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  override _write(chunk: Buffer, _encoding: string, callback: () => void) {
    const text = chunk.toString('utf8');
    this.written += text;
    this.terminal.write(text, callback);
  }
}

/**
 * Renders `element` into `stdout` as the CLI renders the TUI (alternate screen, incremental
 * redraw), without a frame-rate cap; keys written to the returned stdin reach it.
 */
export function renderInTerminal(element: ReactElement, stdout: TerminalStream) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {}, ref: () => {}, unref: () => {} });
  const instance = render(element, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    interactive: true,
    alternateScreen: true,
    incrementalRendering: true,
    patchConsole: false,
    exitOnCtrlC: false,
    maxFps: 1000,
  });
  return { instance, stdin };
}
