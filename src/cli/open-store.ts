import { loadConfig } from "../config/load.ts";
import type { ResolvedConfig } from "../config/schema.ts";
import { createStorage } from "../storage/create-storage.ts";
import type { SessionStore } from "../storage/session-store.ts";

/** The store the configuration names (`[session] database_url`, `SYNAPSE_DATABASE_URL`). */
export async function openStore(config: ResolvedConfig = loadConfig({ env: process.env })): Promise<SessionStore> {
  return createStorage(config.session.databaseUrl);
}

/** Runs `work` with the configured store open, and closes it afterwards whatever happens. */
export async function withStore<T>(work: (store: SessionStore, config: ResolvedConfig) => Promise<T>): Promise<T> {
  const config = loadConfig({ env: process.env });
  const store = await openStore(config);
  try {
    return await work(store, config);
  } finally {
    await store.close();
  }
}
