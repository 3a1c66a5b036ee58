/**
 * The SQLite schema migrations, embedded in the program so a `bun build --compile` binary
 * carries them. Every file in schema/sqlite/ is listed here in name order (a test checks the two agree).
 */
import initial from "../../../schema/sqlite/20250125_001_initial.sql" with { type: "text" };
import messageOrder from "../../../schema/sqlite/20261124_002_message_order_and_summaries.sql" with { type: "text" };
import interruptedReplies from "../../../schema/sqlite/20261124_003_interrupted_replies.sql" with { type: "text" };
import searchTitlesUsage from "../../../schema/sqlite/20261124_004_search_titles_usage.sql" with { type: "text" };
import sessionLeases from "../../../schema/sqlite/20261201_005_session_leases.sql" with { type: "text" };
import hiddenSessions from "../../../schema/sqlite/20261201_006_hidden_sessions.sql" with { type: "text" };
import visibleSessionsOrder from "../../../schema/sqlite/20261201_007_visible_sessions_order.sql" with { type: "text" };
import replyProviderModel from "../../../schema/sqlite/20261208_008_reply_provider_model.sql" with { type: "text" };
import sessionForks from "../../../schema/sqlite/20261215_009_session_forks.sql" with { type: "text" };
import attachments from "../../../schema/sqlite/20261222_010_attachments.sql" with { type: "text" };
import { migration, type Migration } from "../migration.ts";

export type { Migration } from "../migration.ts";

export const migrations: readonly Migration[] = [
  migration("20250125_001_initial.sql", initial),
  migration("20261124_002_message_order_and_summaries.sql", messageOrder),
  migration("20261124_003_interrupted_replies.sql", interruptedReplies),
  migration("20261124_004_search_titles_usage.sql", searchTitlesUsage),
  migration("20261201_005_session_leases.sql", sessionLeases),
  migration("20261201_006_hidden_sessions.sql", hiddenSessions),
  migration("20261201_007_visible_sessions_order.sql", visibleSessionsOrder),
  migration("20261208_008_reply_provider_model.sql", replyProviderModel),
  migration("20261215_009_session_forks.sql", sessionForks),
  migration("20261222_010_attachments.sql", attachments),
];
