/**
 * The PostgreSQL schema migrations, embedded like SQLite's. Every file in schema/postgres/ is
 * listed here in name order (a test checks the two agree).
 */
import initial from "../../../schema/postgres/20261124_001_initial.sql" with { type: "text" };
import leasesAndBatchSummaries from "../../../schema/postgres/20261201_002_session_leases_and_batch_summaries.sql" with { type: "text" };
import hiddenSessions from "../../../schema/postgres/20261201_003_hidden_sessions.sql" with { type: "text" };
import replyProviderModel from "../../../schema/postgres/20261208_004_reply_provider_model.sql" with { type: "text" };
import sessionForks from "../../../schema/postgres/20261215_005_session_forks.sql" with { type: "text" };
import attachments from "../../../schema/postgres/20261222_006_attachments.sql" with { type: "text" };
import { migration, type Migration } from "../migration.ts";

export const migrations: readonly Migration[] = [
  migration("20261124_001_initial.sql", initial),
  migration("20261201_002_session_leases_and_batch_summaries.sql", leasesAndBatchSummaries),
  migration("20261201_003_hidden_sessions.sql", hiddenSessions),
  migration("20261208_004_reply_provider_model.sql", replyProviderModel),
  migration("20261215_005_session_forks.sql", sessionForks),
  migration("20261222_006_attachments.sql", attachments),
];
