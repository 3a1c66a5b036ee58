import { loadSessionSettings } from "../config/load.ts";
import type { SessionSettings } from "../config/schema.ts";
import { createStorage } from "../storage/create-storage.ts";
import type { SessionStore } from "../storage/session-store.ts";

/**
 * Runs `work` with the configured store open (`[session] database_url`, `SYNAPSE_DATABASE_URL`)
 * and closes it afterwards, whatever happens. Only `[session]` is read: a provider setting the
 * sessions commands never use cannot stop them.
 */
export async function withStore<T>(work: (store: SessionStore, settings: SessionSettings) => Promise<T>): Promise<T> {
  const settings = loadSessionSettings({ env: process.env });
  const store = await createStorage(settings.databaseUrl);
  try {
    return await work(store, settings);
  } finally {
    await store.close();
  }
}
