/** The reply was cut short by the user (Ctrl+C); what had arrived is stored, marked interrupted. */
export class ExchangeInterrupted extends Error {
  override name = "ExchangeInterrupted";
  constructor(savedPartial: boolean) {
    super(savedPartial ? "interrupted; the reply so far was saved" : "interrupted before the reply began");
  }
}
