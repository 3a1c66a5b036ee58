import { UserFacingError } from "../user-error.ts";

/** The reply was cut short by the user (Ctrl+C); what had arrived is stored, marked interrupted. */
export class ExchangeInterrupted extends Error {
  override name = "ExchangeInterrupted";
  constructor(savedPartial: boolean) {
    super(savedPartial ? "interrupted; the reply so far was saved" : "interrupted before the reply began");
  }
}

/** Something asked of a chat that cannot be done now (a system prompt for a stored session); one line for the user. */
export class ChatModeError extends UserFacingError {
  override name = "ChatModeError";
}

/**
 * The model went on asking to run tools past `[mcp] max_steps` in one exchange: every call and
 * result is stored, and the session can go on from there.
 */
export class ToolStepLimit extends UserFacingError {
  override name = "ToolStepLimit";
  constructor(
    readonly maxSteps: number,
    readonly sessionId: string,
  ) {
    super(
      `stopped after ${maxSteps} tool step${maxSteps === 1 ? "" : "s"} in one exchange (max_steps under [mcp]); every call and result is stored: ` +
        `continue the session (synapse -s ${sessionId.slice(0, 8)} "go on") to let the model answer, or raise max_steps`,
    );
  }
}
