/**
 * Local stand-ins for provider APIs: a `Bun.serve` on 127.0.0.1 that answers each request
 * with the next scripted reply (a recorded stream, an HTTP error, a stream that never ends)
 * and records what it was sent, so tests can check the request and whether the client hung up.
 */
import { createServer, type Socket } from "node:net";
import { join } from "node:path";

export const FIXTURES = join(import.meta.dir, "fixtures", "providers");

/** A recorded stream from `test/fixtures/providers/<name>`. */
export async function fixture(name: string): Promise<string> {
  return Bun.file(join(FIXTURES, name)).text();
}

export type Reply =
  /** A recorded stream, sent in `chunkSize`-byte pieces (default: all at once). */
  | { kind: "sse"; body: string; chunkSize?: number; headers?: Record<string, string> }
  /** An HTTP error, with a JSON or text body. */
  | { kind: "error"; status: number; json?: unknown; text?: string; headers?: Record<string, string> }
  /** `head` at once, then `repeat` every `intervalMs`, forever: only the client can end it. */
  | { kind: "endless"; head: string; repeat: string; intervalMs: number }
  /** Accepts the request and never answers, not even with headers. */
  | { kind: "silent" }
  /**
   * Sends the headers and `head`, then nothing, without closing. `head` must not be empty: Bun
   * holds the headers back until the first bytes (see {@link startHeadersOnlyServer}). With
   * `status` (default 200) and `headers`, an error page that never finishes.
   */
  | { kind: "stall"; head: string; status?: number; headers?: Record<string, string> }
  /**
   * `head` at once (then `onHead` runs), keep-alive comments while `release` is pending, then
   * `tail`: a reply that streams as slowly as the test needs, with no timing guessed.
   */
  | { kind: "gated"; head: string; tail: string; release: Promise<void>; onHead?: () => void };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface ProviderServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  /** Resolves when the client closed an `endless`, `silent` or `stall` request. */
  clientHungUp: Promise<void>;
  /** How many `repeat` pieces an `endless` stream had sent when the client hung up. */
  endlessSent(): number;
  stop(): Promise<void>;
}

/**
 * Serves `replies` in order, one per request; the last one repeats when they run out.
 * @example
 * const server = startProviderServer([{ kind: "sse", body: await fixture("anthropic/hello.sse") }]);
 */
export function startProviderServer(replies: Reply[]): ProviderServer {
  const requests: RecordedRequest[] = [];
  let hungUp!: () => void;
  const clientHungUp = new Promise<void>((resolve) => (hungUp = resolve));
  let sent = 0;
  const encoder = new TextEncoder();

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 30,
    async fetch(request) {
      const text = await request.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep the text
      }
      requests.push({
        method: request.method,
        path: new URL(request.url).pathname,
        headers: Object.fromEntries(request.headers),
        body,
      });
      const reply = replies[Math.min(requests.length - 1, replies.length - 1)];
      if (reply === undefined) return new Response("no reply scripted", { status: 500 });
      switch (reply.kind) {
        case "sse": {
          const bytes = encoder.encode(reply.body);
          const size = reply.chunkSize ?? bytes.length;
          let offset = 0;
          const stream = new ReadableStream<Uint8Array>({
            pull(controller) {
              if (offset >= bytes.length) return controller.close();
              controller.enqueue(bytes.slice(offset, offset + size));
              offset += size;
            },
          });
          return new Response(stream, {
            headers: { "content-type": "text/event-stream; charset=utf-8", ...reply.headers },
          });
        }
        case "error": {
          const payload = reply.json === undefined ? (reply.text ?? "") : JSON.stringify(reply.json);
          const type = reply.json === undefined ? "text/plain" : "application/json";
          return new Response(payload, { status: reply.status, headers: { "content-type": type, ...reply.headers } });
        }
        case "gated": {
          let timer: Timer | undefined;
          const stream = new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(encoder.encode(reply.head));
              reply.onHead?.();
              // Bytes now and then, so no idle timeout (the server's or the client's) ends the wait.
              const send = (text: string) => {
                try {
                  controller.enqueue(encoder.encode(text));
                } catch {
                  clearInterval(timer); // the client has gone (a test killed it)
                }
              };
              timer = setInterval(() => send(": waiting\n\n"), 1000);
              void reply.release.then(() => {
                clearInterval(timer);
                send(reply.tail);
                try {
                  controller.close();
                } catch {
                  // closed already: the client has gone
                }
              });
            },
            cancel() {
              clearInterval(timer);
            },
          });
          return new Response(stream, { headers: { "content-type": "text/event-stream" } });
        }
        case "endless": {
          let timer: Timer | undefined;
          const stream = new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(encoder.encode(reply.head));
              timer = setInterval(() => {
                try {
                  controller.enqueue(encoder.encode(reply.repeat));
                  sent++;
                } catch {
                  clearInterval(timer);
                  hungUp();
                }
              }, reply.intervalMs);
            },
            cancel() {
              clearInterval(timer);
              hungUp();
            },
          });
          request.signal.addEventListener("abort", () => {
            clearInterval(timer);
            hungUp();
          });
          return new Response(stream, { headers: { "content-type": "text/event-stream" } });
        }
        case "silent":
          // Answered only once the client has gone, when nobody reads it any more.
          return new Promise<Response>((resolve) => {
            const gone = () => {
              hungUp();
              resolve(new Response(null, { status: 499 }));
            };
            if (request.signal.aborted) gone();
            else request.signal.addEventListener("abort", gone, { once: true });
          });
        case "stall": {
          const stream = new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(encoder.encode(reply.head));
            },
            cancel() {
              hungUp();
            },
          });
          request.signal.addEventListener("abort", () => hungUp());
          return new Response(stream, { status: reply.status ?? 200, headers: { "content-type": "text/event-stream", ...reply.headers } });
        }
      }
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    clientHungUp,
    endlessSent: () => sent,
    stop: () => server.stop(true),
  };
}

/**
 * A server that answers every request with the headers of an event stream and then nothing,
 * keeping the connection open: what a stuck proxy or model server does. Written on a raw socket,
 * because `Bun.serve` sends no headers before the first bytes of the body.
 */
export async function startHeadersOnlyServer(): Promise<ProviderServer> {
  let hungUp!: () => void;
  const clientHungUp = new Promise<void>((resolve) => (hungUp = resolve));
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once("data", (data) => {
      const [method = "", path = ""] = data.toString("latin1").split(" ", 2);
      requests.push({ method, path, headers: {}, body: undefined });
      socket.write("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n");
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      sockets.delete(socket);
      hungUp();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    clientHungUp,
    endlessSent: () => 0,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bind one, note it, let it go. */
export async function closedPort(): Promise<number> {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = server.port;
  await server.stop(true);
  if (port === undefined) throw new Error("no port");
  return port;
}
