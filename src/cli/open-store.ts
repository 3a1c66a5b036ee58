import { loadStoreSettings } from "../config/load.ts";
import type { DisplaySettings, SessionSettings } from "../config/schema.ts";
import { log } from "../log.ts";
import { createStorage } from "../storage/create-storage.ts";
import type { OpenOptions, SessionStore } from "../storage/session-store.ts";

/**
 * Runs `work` with the configured store open (`[session] database_url`, `SYNAPSE_DATABASE_URL`)
 * and closes it afterwards, whatever happens. Only `[session]` and the top-level display keys
 * are read: a provider setting the sessions commands never use cannot stop them.
 */
export async function withStore<T>(work: (store: SessionStore, settings: SessionSettings, display: DisplaySettings) => Promise<T>, options: OpenOptions = {}): Promise<T> {
  const { session, display } = loadStoreSettings({ env: process.env });
  if (display.quiet) log.quiet = true;
  const store = await createStorage(session.databaseUrl, options);
  try {
    return await work(store, session, display);
  } finally {
    await store.close();
  }
}
