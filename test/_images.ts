/**
 * The smallest images of each type Synapse sends (1×1 pixel), as bytes: what the tests attach.
 * Each is a whole, valid file of its type; Synapse itself only reads their magic bytes.
 */
const base64 = {
  "image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "image/jpeg":
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=",
  "image/gif": "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7",
  "image/webp": "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==",
} as const;

export type ImageType = keyof typeof base64;

/** A 1×1 image of `type`. */
export function tinyImage(type: ImageType): Uint8Array {
  return Uint8Array.from(Buffer.from(base64[type], "base64"));
}

/** Its bytes as base64: what a provider is sent. */
export function tinyImageBase64(type: ImageType): string {
  return base64[type];
}
