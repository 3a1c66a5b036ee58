import { createInterface } from "node:readline/promises";

/**
 * Asks a yes/no question on a terminal (stderr, answered on stdin); anything but y or yes is
 * no. Without a terminal there is nobody to ask, and the answer is yes (scripts pass --yes to
 * be explicit).
 */
export async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return true;
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
