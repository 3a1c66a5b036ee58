/**
 * A chat's tools: the MCP servers of `[mcp.servers.NAME]`, started at the first turn whose model
 * may use tools (never for a chat that asks nothing of one), kept for the chat's life, and the
 * rule for which of the model's calls run: a read-only tool runs; one `[mcp] allow` or
 * `--allow-tools` allows runs; any other is asked about where someone can answer, and refused
 * (the model is told so) where no one can.
 */
import type { McpSettings } from "../config/schema.ts";
import type { ToolCall } from "../session.ts";
import type { ToolBox, ToolInfo } from "../tools/index.ts";
// names.ts loads no SDK: only tools/index.ts, imported when servers start, does.
import { allowsTool } from "../tools/names.ts";
import type { ExchangeTools, ToolOutcome } from "./exchange.ts";

/** What the user answered when asked whether a tool may run: `always` is for that tool, in that session, while the chat lasts. */
export type ToolAnswer = "yes" | "no" | "always";

/** How a chat's tools reach the person: asking, and saying what happened. Set by the CLI. */
export interface ToolPrompts {
  /** Asks whether a tool that is not read-only may run; absent where no one can be asked (no terminal). */
  ask?: ((call: ToolCall, tool: ToolInfo) => Promise<ToolAnswer>) | undefined;
  /** A call ran, failed, or was refused: `outcome` is what the model is told. */
  onToolResult?: ((call: ToolCall, outcome: ToolOutcome, tool: ToolInfo | undefined) => void) | undefined;
  /** One line the user should read (a server that did not start): the exchange goes on. */
  onWarning?: ((message: string) => void) | undefined;
}

/** What the model is told of a call the user did not let run. */
export const refusedByUser = "the user did not allow this tool to run";

export class ChatTools {
  readonly #mcp: McpSettings;
  readonly #configPath: string;
  /** `--allow-tools`: every tool runs without asking. */
  readonly #allowAll: boolean;
  #started: Promise<ToolBox> | null = null;
  /** Tools the user said `always` to, by session and offered name. */
  readonly #always = new Set<string>();

  constructor(mcp: McpSettings, configPath: string, allowAll: boolean) {
    this.#mcp = mcp;
    this.#configPath = configPath;
    this.#allowAll = allowAll;
  }

  /** Whether any server is configured and enabled: only then does a turn start servers. */
  get configured(): boolean {
    return Object.values(this.#mcp.servers).some((server) => server.enabled);
  }

  /**
   * The servers' tools, starting them at the first call (in parallel, each within the start-up
   * timeout); a server that does not start is one warning line, and the chat goes on without it.
   */
  async toolbox(prompts: ToolPrompts, signal: AbortSignal): Promise<ToolBox> {
    this.#started ??= (async () => {
      const { startToolServers } = await import("../tools/index.ts");
      const { toolbox, failures } = await startToolServers(Object.values(this.#mcp.servers), {
        startupTimeoutMs: this.#mcp.startupTimeoutMs,
        configPath: this.#configPath,
        signal,
      });
      for (const failure of failures) prompts.onWarning?.(`${failure.message}; going on without its tools`);
      return toolbox;
    })();
    try {
      return await this.#started;
    } catch (error) {
      // Stopped (Ctrl+C) or failed: the next turn tries again.
      this.#started = null;
      throw error;
    }
  }

  /** The tools of one turn: none when no server is configured (or none started with a tool). */
  async forTurn(sessionId: () => string | undefined, prompts: ToolPrompts, signal: AbortSignal): Promise<ExchangeTools | undefined> {
    if (!this.configured) return undefined;
    const toolbox = await this.toolbox(prompts, signal);
    if (toolbox.specs.length === 0) return undefined;
    const { ToolCallCancelled } = await import("../tools/index.ts");
    return {
      specs: toolbox.specs,
      maxSteps: this.#mcp.maxSteps,
      run: async (call, callSignal) => {
        const tool = toolbox.describe(call.name);
        const refusal = tool === undefined ? undefined : await this.#refusal(call, tool, sessionId(), prompts);
        // Ctrl+C while the user was being asked: the call was stopped, not refused.
        if (callSignal.aborted) return null;
        let outcome: ToolOutcome;
        if (refusal !== undefined) {
          outcome = { text: refusal, isError: true };
        } else {
          try {
            outcome = await toolbox.call(call.name, call.arguments, { signal: callSignal, timeoutMs: this.#mcp.callTimeoutMs });
          } catch (error) {
            if (error instanceof ToolCallCancelled) return null;
            throw error;
          }
        }
        prompts.onToolResult?.(call, outcome, tool);
        return outcome;
      },
    };
  }

  /** Whether `--allow-tools` or `[mcp] allow` lets the tool run without asking. */
  allows(tool: ToolInfo): boolean {
    return this.#allowAll || allowsTool(this.#mcp.allow, tool.server, tool.tool);
  }

  /** Why a call may not run, for the model to read; undefined when it may. */
  async #refusal(call: ToolCall, tool: ToolInfo, sessionId: string | undefined, prompts: ToolPrompts): Promise<string | undefined> {
    const key = `${sessionId ?? ""}\0${call.name}`;
    if (tool.readOnly || this.allows(tool) || this.#always.has(key)) return undefined;
    if (prompts.ask === undefined) {
      return `not run: the tool is not read-only, and no one could be asked (no terminal); the user can allow it with --allow-tools or allow = ["${tool.server}.${tool.tool}"] under [mcp]`;
    }
    const answer = await prompts.ask(call, tool);
    if (answer === "always") this.#always.add(key);
    return answer === "no" ? refusedByUser : undefined;
  }

  /** Stops every server started. */
  async close(): Promise<void> {
    const started = this.#started;
    this.#started = null;
    if (started === null) return;
    try {
      await (await started).close();
    } catch {
      // A start that failed left nothing running.
    }
  }
}
