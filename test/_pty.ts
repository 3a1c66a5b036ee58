/**
 * The real synapse in a pseudo-terminal (Bun.spawn's `terminal` option), its output read back by
 * a headless xterm: what a person at a terminal would see, and what the output tried to make
 * the terminal do (set the title, write the clipboard, clear the screen, hide a link).
 */
import { Terminal } from "@xterm/headless";

export interface Screen {
  /** The lines on the screen (and scrolled off it), right-trimmed. */
  lines: string[];
  titles: string[];
  clipboard: string[];
  links: string[];
  clears: number;
  /** The rows (indices into `lines`) that continue a line the terminal had to wrap. */
  wrapped: number[];
}

export class PtyRun {
  readonly #bytes: Uint8Array[] = [];
  readonly #decoder = new TextDecoder();
  #text = "";
  #waiters: { text: string; from: number; resolve: () => void }[] = [];
  readonly exited: Promise<number>;
  readonly #closed: Promise<void>;
  readonly #child: Bun.Subprocess;
  readonly #terminal: Bun.Terminal | undefined;

  readonly #columns: number;
  readonly #rows: number;

  /** `command` in a pseudo-terminal of `size` (220 × 40 unless said), its output kept. */
  constructor(command: string[], env: Record<string, string>, size: { columns: number; rows: number } = { columns: 220, rows: 40 }) {
    this.#columns = size.columns;
    this.#rows = size.rows;
    let closed!: () => void;
    this.#closed = new Promise((resolve) => (closed = resolve));
    const child = Bun.spawn(command, {
      env,
      terminal: {
        cols: size.columns,
        rows: size.rows,
        data: (_terminal, data) => {
          this.#bytes.push(data.slice());
          this.#text += this.#decoder.decode(data, { stream: true });
          this.#waiters = this.#waiters.filter((w) => (this.#text.indexOf(w.text, w.from) !== -1 ? (w.resolve(), false) : true));
        },
        exit: () => closed(),
      },
    });
    this.exited = child.exited;
    this.#child = child;
    this.#terminal = child.terminal;
  }

  /** Types `text` into the terminal: keys as the program reads them (in raw mode, byte for byte). */
  write(text: string): void {
    this.#terminal?.write(text);
  }

  /** Resizes the terminal, as dragging the window's edge does (the program gets SIGWINCH). */
  resize(columns: number, rows: number): void {
    this.#terminal?.resize(columns, rows);
  }

  /** Everything written so far, escape sequences included. */
  get output(): string {
    return this.#text;
  }

  /** Sends `signal` to the process, as a terminal's Ctrl+C does (SIGINT). */
  kill(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  /** Resolves once `text` has appeared in the output, at or after offset `from`. */
  waitFor(text: string, from = 0): Promise<void> {
    if (this.#text.indexOf(text, from) !== -1) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ text, from, resolve }));
  }

  /** The exit code, once the process has exited and all its output has been read. */
  async finished(): Promise<number> {
    const code = await this.exited;
    await this.#closed;
    return code;
  }

  /** Everything written so far, as a real terminal would take it. */
  async screen(): Promise<Screen> {
    const term = new Terminal({ cols: this.#columns, rows: this.#rows, scrollback: 5000, allowProposedApi: true });
    const screen: Screen = { lines: [], titles: [], clipboard: [], links: [], clears: 0, wrapped: [] };
    term.onTitleChange((title) => screen.titles.push(title));
    term.parser.registerOscHandler(52, (data) => (screen.clipboard.push(data), true));
    term.parser.registerOscHandler(8, (data) => (screen.links.push(data), false));
    // The screen (2) or the scrollback (3) erased; Synapse's own erase below the cursor (0), as
    // the rendered reply replaces its source, is not a clear.
    term.parser.registerCsiHandler({ final: "J" }, (params) => ((params[0] === 2 || params[0] === 3) && screen.clears++, false));
    for (const chunk of this.#bytes) await new Promise<void>((resolve) => term.write(chunk, resolve));
    const buffer = term.buffer.active;
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i);
      screen.lines.push(line?.translateToString(true) ?? "");
      if (line?.isWrapped) screen.wrapped.push(i);
    }
    while (screen.lines.at(-1) === "") screen.lines.pop();
    term.dispose();
    return screen;
  }
}

