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
