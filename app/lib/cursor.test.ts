import { describe, expect, it } from "vitest";
import { EventCursor, TaskCursor } from "./cursor";

const key = { createdAt: "2026-12-02T06:00:00.123456Z", id: "0b7c4f3e-1d2a-4c3b-9a8f-7e6d5c4b3a21" };

describe("paging cursors", () => {
  it("round-trip a key through opaque base64url text", () => {
    const text = TaskCursor.encode(key);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(TaskCursor.decode(text)).toEqual(key);
    expect(EventCursor.decode(EventCursor.encode({ id: "9223372036854775807" }))).toEqual({ id: "9223372036854775807" });
  });

  it("refuse text that is not a cursor of their kind, including keys PostgreSQL would reject", () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    for (const text of [
      "",
      "%%%",
      "e30", // {}
      encode({ ...key, createdAt: "2026-02-30T06:00:00.123456Z" }),
      encode({ ...key, createdAt: "2026-12-02T06:00:00.123Z" }),
      encode({ ...key, id: "x" }),
      encode({ ...key, more: true }),
      EventCursor.encode({ id: "1" }),
      "A".repeat(201),
    ]) {
      expect(TaskCursor.decode(text), text).toBeNull();
    }
    for (const id of ["0", "-1", "1.5", "9223372036854775808", "01"]) expect(EventCursor.decode(encode({ id })), id).toBeNull();
  });

  it("as a query parameter: decode or a validation issue with a sentence", () => {
    const param = TaskCursor.param();
    expect(param.parse(TaskCursor.encode(key))).toEqual(key);
    const result = param.safeParse("tampered");
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("cursor is not one this endpoint gave out; start again without it");
  });
});
