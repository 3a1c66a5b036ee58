import { loadConfig } from "../config/load.ts";
import type { ResolvedConfig } from "../config/schema.ts";
import { createStorage } from "../storage/create-storage.ts";
import type { SessionStore } from "../storage/session-store.ts";

/** The store the configuration names (`[session] database_url`, `SYNAPSE_DATABASE_URL`). */
export async function openStore(config: ResolvedConfig = loadConfig({ env: process.env })): Promise<SessionStore> {
  return createStorage(config.session.databaseUrl);
}
