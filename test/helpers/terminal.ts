// A stdout for Ink that is a headless xterm: tests see what a terminal would show (and the
// exact bytes written), at a size they choose.

import { Writable } from 'node:stream';
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
