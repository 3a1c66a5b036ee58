import type { Session, StoredMessage } from "../session.ts";

/** The reply was cut short by the user (Ctrl+C); what had arrived is stored, marked interrupted. */
export class ExchangeInterrupted extends Error {
  override name = "ExchangeInterrupted";
  constructor(
    readonly session: Session,
    readonly partial: StoredMessage | null,
  ) {
    super(partial ? "interrupted; the reply so far was saved" : "interrupted before the reply began");
  }
}
