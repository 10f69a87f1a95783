import { describe, expect, it } from "vitest";
import { baseVersionOf, changedFields, conflictSentence, mergeAfterConflict, quoted } from "./edit-conflict";

function form(entries: Record<string, string>) {
  const data = new FormData();
  for (const [name, value] of Object.entries(entries)) data.append(name, value);
  return data;
}

describe("edit conflicts", () => {
  it("counts as changed only the fields whose value differs from the one shown", () => {
    const data = form({ title: "New", "base.title": "Old", priority: "low", "base.priority": "low", description: "a\r\nb", "base.description": "a\nb" });
    expect(changedFields(data, ["title", "priority", "description"])).toEqual(["title"]);
  });

  it("counts a field sent without its shown value as changed", () => {
    expect(changedFields(form({ title: "x" }), ["title"])).toEqual(["title"]);
  });

  it("reads the base version, and none from a value that is not a number", () => {
    expect(baseVersionOf(form({ baseVersion: "7" }))).toBe(7);
    expect(baseVersionOf(form({ baseVersion: "7x" }))).toBeUndefined();
    expect(baseVersionOf(form({}))).toBeUndefined();
  });

  it("names what changed with the newer values", () => {
    expect(conflictSentence("task", [{ label: "priority", shown: "Low" }])).toBe(
      "Someone changed this task while you were editing: priority is now Low. Your changes are kept below; save again to apply them.",
    );
    expect(conflictSentence("board", [{ label: "name", shown: quoted("Ops") }, { label: "description", shown: null }, { label: "objective", shown: quoted("") }])).toBe(
      'Someone changed this board while you were editing: name is now "Ops", description was changed and objective is now empty. Your changes are kept below; save again to apply them.',
    );
  });

  it("keeps the person's text in changed fields and shows the stored value in the others", () => {
    expect(mergeAfterConflict({ title: "Mine", priority: "medium" }, { title: "Theirs", priority: "low" }, ["title"])).toEqual({ title: "Mine", priority: "low" });
  });
});
