/** Reading a child process's output as it comes, to wait for a marker line in it. */

/** A stream's text so far, and a way to wait for a piece of it. */
export class Output {
  text = "";
  readonly #waiters: (() => void)[] = [];
  readonly finished: Promise<string>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.finished = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) {
        this.text += decoder.decode(chunk, { stream: true });
        for (const wake of this.#waiters.splice(0)) wake();
      }
      for (const wake of this.#waiters.splice(0)) wake();
      return this.text;
    })();
  }

  async waitFor(needle: string): Promise<void> {
    let ended = false;
    void this.finished.then(() => (ended = true));
    while (!this.text.includes(needle)) {
      if (ended) throw new Error(`the output ended without ${JSON.stringify(needle)}:\n${this.text}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
      await Promise.resolve();
    }
  }
}
