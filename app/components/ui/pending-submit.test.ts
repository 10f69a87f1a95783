import { describe, expect, it } from "vitest";
import { isOwnSubmission, type FormIdentity } from "./pending-submit";

const form = (entries: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(entries)) data.set(name, value);
  return data;
};

const boardId = "/boards/6d1f1f7e-9a53-4a35-8f0c-6a1f2f7e9a53";
const newTask: FormIdentity = { action: `http://127.0.0.1:3000${boardId}`, hidden: [["intent", "create-task"]] };

describe("isOwnSubmission", () => {
  it("is idle when nothing is being sent", () => {
    expect(isOwnSubmission(newTask, { state: "idle" })).toBe(false);
    expect(isOwnSubmission(newTask, { state: "loading" })).toBe(false); // a plain link navigation
  });

  it("recognises its own form by action and hidden fields, also while the answer loads", () => {
    const formData = form({ intent: "create-task", title: "Write docs" });
    expect(isOwnSubmission(newTask, { state: "submitting", formAction: boardId, formData })).toBe(true);
    expect(isOwnSubmission(newTask, { state: "loading", formAction: boardId, formData })).toBe(true);
    // single fetch posts to `<path>.data`; the index route adds ?index
    expect(isOwnSubmission(newTask, { state: "submitting", formAction: `${boardId}.data?index`, formData })).toBe(true);
  });

  it("is not busy for another form of the same page", () => {
    const formData = form({ intent: "update-board", name: "Launch" });
    expect(isOwnSubmission(newTask, { state: "submitting", formAction: boardId, formData })).toBe(false);
  });

  it("tells rows apart by their hidden id", () => {
    const deleteTag = (id: string): FormIdentity => ({ action: "http://x/settings/tags", hidden: [["intent", "delete"], ["tagId", id]] });
    const formData = form({ intent: "delete", tagId: "b" });
    expect(isOwnSubmission(deleteTag("a"), { state: "submitting", formAction: "/settings/tags", formData })).toBe(false);
    expect(isOwnSubmission(deleteTag("b"), { state: "submitting", formAction: "/settings/tags", formData })).toBe(true);
  });

  it("is not busy for the same fields posted to another page", () => {
    const formData = form({ intent: "create-task" });
    expect(isOwnSubmission(newTask, { state: "submitting", formAction: "/boards", formData })).toBe(false);
  });

  it("checks a named submit button's own value", () => {
    const approve: FormIdentity = { action: "http://x/settings/members", hidden: [], submitter: ["intent", "approve"] };
    expect(isOwnSubmission(approve, { state: "submitting", formAction: "/settings/members", formData: form({ intent: "approve" }) })).toBe(true);
    expect(isOwnSubmission(approve, { state: "submitting", formAction: "/settings/members", formData: form({ intent: "reject" }) })).toBe(false);
  });
});
