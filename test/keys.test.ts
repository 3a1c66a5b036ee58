/**
 * Keys from what a terminal in raw mode sends: named as the line editor binds them, and the same
 * however the text is cut into chunks. (The line editor's tests type them end to end.)
 */
import { describe, expect, test } from "bun:test";
import { type Key, KeyDecoder } from "../src/cli/keys.ts";

describe("KeyDecoder", () => {
  const key = (name: string, modifiers: { ctrl?: boolean; alt?: boolean; shift?: boolean } = {}): Key => ({
    kind: "key",
    name,
    ctrl: modifiers.ctrl ?? false,
    alt: modifiers.alt ?? false,
    shift: modifiers.shift ?? false,
  });

  test.each<[string, string, Key[]]>([
    ["text runs, one key per run", "héllo 日本", [{ kind: "text", text: "héllo 日本" }]],
    ["controls between text", "a\x01b\tc\x7f", [{ kind: "text", text: "a" }, key("a", { ctrl: true }), { kind: "text", text: "b" }, key("tab"), { kind: "text", text: "c" }, key("backspace")]],
    ["Ctrl+\\ ] ^ _ and Ctrl+Space", "\x1c\x1d\x1e\x1f\x00", [key("\\", { ctrl: true }), key("]", { ctrl: true }), key("^", { ctrl: true }), key("_", { ctrl: true }), key("space", { ctrl: true })]],
    ["xterm modifiers: Shift+Up, Ctrl+Alt+Right", "\x1b[1;2A\x1b[1;7C", [key("up", { shift: true }), key("right", { ctrl: true, alt: true })]],
    ["Ctrl+Delete, Shift+Tab, F12", "\x1b[3;5~\x1b[Z\x1b[24~", [key("delete", { ctrl: true }), key("tab", { shift: true }), key("f12")]],
    ["rxvt: Shift+Left, Ctrl+Home, Shift+Delete", "\x1b[d\x1b[7^\x1b[3$", [key("left", { shift: true }), key("home", { ctrl: true }), key("delete", { shift: true })]],
    ["Alt with characters, an uppercase one as Shift", "\x1bb\x1bB\x1bé", [key("b", { alt: true }), key("b", { alt: true, shift: true }), key("é", { alt: true })]],
    ["a broken CSI is dropped up to the control inside it", "\x1b[12\rx", [key("enter"), { kind: "text", text: "x" }]],
    ["an OSC cut short by Enter: Enter still counts", "\x1b]0;abc\rx", [key("enter"), { kind: "text", text: "x" }]],
  ])("%s", (_name, input, keys) => {
    expect(new KeyDecoder().push(input)).toEqual(keys);
  });

  test("what a chunk leaves unfinished waits for the next, however it is cut", () => {
    const input = "a\x1b[1;5Db\x1b[200~p\x1b[31m\rq\x1b[201~\x1bOH\x1b\x1b[C\x1b]11;rgb:0/0/0\x1b\\c";
    const whole = new KeyDecoder().push(input);
    expect(whole).toEqual([
      { kind: "text", text: "a" },
      key("left", { ctrl: true }),
      { kind: "text", text: "b" },
      { kind: "paste", text: "p\nq" },
      key("home"),
      key("right", { alt: true }),
      { kind: "text", text: "c" },
    ]);
    for (let cut = 1; cut < input.length; cut++) {
      const decoder = new KeyDecoder();
      const keys = [...decoder.push(input.slice(0, cut)), ...decoder.push(input.slice(cut))];
      // Text split by the cut arrives as two runs: compare with runs joined.
      expect(joinText(keys)).toEqual(whole);
    }
  });
});

function joinText(keys: Key[]): Key[] {
  const out: Key[] = [];
  for (const k of keys) {
    const last = out.at(-1);
    if (k.kind === "text" && last?.kind === "text") out[out.length - 1] = { kind: "text", text: last.text + k.text };
    else out.push(k);
  }
  return out;
}
