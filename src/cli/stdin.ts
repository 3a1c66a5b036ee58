/**
 * The user's message: the words given as arguments, and whatever is piped in. Both together
 * become one message, the piped text first (`cat notes.md | synapse "Summarize"`).
 */
export async function readMessage(words: readonly string[], stdin: { isTTY?: boolean; text(): Promise<string> }): Promise<string> {
  const argument = words.join(" ").trim();
  const piped = stdin.isTTY ? "" : (await stdin.text()).trimEnd();
  if (piped.trim() === "") return argument;
  return argument === "" ? piped : `${piped}\n\n${argument}`;
}
