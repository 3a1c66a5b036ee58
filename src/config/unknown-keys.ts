/**
 * Keys in the config file that the schema does not know: they are warned about and dropped, with
 * the known key a typo was probably meant to be (`max_token` → `max_tokens`).
 */
import { editDistance } from "../edit-distance.ts";
import { isRecord } from "../unknown-values.ts";
import { KNOWN_KEYS, MCP_SERVER_TABLE_KEYS, PROVIDER_TABLE_KEYS } from "./schema.ts";

/** Dotted paths of keys the schema does not know, in file order. */
export function unknownKeys(raw: unknown): string[] {
  const found: string[] = [];
  if (!isRecord(raw)) return found;
  for (const [key, value] of Object.entries(raw)) {
    if (!KNOWN_KEYS[""]!.includes(key)) {
      found.push(key);
      continue;
    }
    // `[providers.NAME]`: any name, each table with a provider's keys; `[aliases]`: any name.
    if (key === "providers" && isRecord(value)) {
      for (const [name, table] of Object.entries(value)) {
        if (!isRecord(table)) continue;
        for (const inner of Object.keys(table)) {
          if (!(PROVIDER_TABLE_KEYS as readonly string[]).includes(inner)) found.push(`providers.${name}.${inner}`);
        }
      }
      continue;
    }
    const known = KNOWN_KEYS[key];
    if (known === undefined || !isRecord(value)) continue;
    for (const [inner, innerValue] of Object.entries(value)) {
      if (!known.includes(inner)) found.push(`${key}.${inner}`);
      // `[mcp.servers.NAME]`: any name, each table with a server's keys.
      if (key === "mcp" && inner === "servers" && isRecord(innerValue)) {
        for (const [name, table] of Object.entries(innerValue)) {
          if (!isRecord(table)) continue;
          for (const serverKey of Object.keys(table)) {
            if (!(MCP_SERVER_TABLE_KEYS as readonly string[]).includes(serverKey)) found.push(`mcp.servers.${name}.${serverKey}`);
          }
        }
      }
    }
  }
  return found;
}

/** A known key within two edits of a typo, in the same table: `max_token` → `max_tokens`. */
export function closestKnownKey(dotted: string): string | undefined {
  const dot = dotted.lastIndexOf(".");
  const table = dot === -1 ? "" : dotted.slice(0, dot);
  const key = dot === -1 ? dotted : dotted.slice(dot + 1);
  let best: string | undefined;
  let bestDistance = 3;
  const candidates = table.startsWith("providers.") ? PROVIDER_TABLE_KEYS : table.startsWith("mcp.servers.") ? MCP_SERVER_TABLE_KEYS : (KNOWN_KEYS[table] ?? []);
  for (const candidate of candidates) {
    const distance = editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? undefined : table === "" ? best : `${table}.${best}`;
}
