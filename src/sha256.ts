/** The SHA-256 of `data`, in lower-case hex: what a file is stored under, and a migration checked by. */
export function sha256Of(data: Uint8Array | string): string {
  return new Bun.CryptoHasher("sha256").update(data).digest("hex");
}
