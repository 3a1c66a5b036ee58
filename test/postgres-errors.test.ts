/**
 * PostgreSQL connection failures that need no server to show: a host name that does not resolve
 * (`.invalid` never does, RFC 6761, so no network is needed) is said as such, not as a refused
 * connection, and the password never appears.
 */
import { expect, test } from "bun:test";
import { Home, sourceRunner } from "./_cli.ts";

test("a host name that does not resolve is named, not reported as a refused connection", async () => {
  const home = new Home(sourceRunner, { SYNAPSE_DATABASE_URL: "postgres://me:hunter2-secret@synapse-test.invalid:5432/sessions" });
  for (const args of [["sessions", "list"], ["-p", "echo", "hello"]]) {
    const result = await home.run(args);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^error: cannot reach PostgreSQL at postgres:\/\/me@synapse-test\.invalid:5432\/sessions: the host name "synapse-test\.invalid" (does not resolve \(ENOTFOUND\); check the host in database_url|could not be looked up \([^)]+\); check the network and DNS, and the host in database_url)\n$/,
    );
    expect(result.stderr).not.toContain("hunter2");
  }
});
