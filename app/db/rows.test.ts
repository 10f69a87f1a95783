import { describe, expect, it } from "vitest";
import { readRow, RowDecodeError } from "./rows";

describe("row readers", () => {
  it("read typed values and numbers pg answers as text", () => {
    const at = new Date();
    const r = readRow({ id: "a", n: "12.5", big: "9007199254740991", none: null, at, kind: "todo", data: { x: 1 } }, "test row");
    expect(r.text("id")).toBe("a");
    expect(r.number("n")).toBe(12.5);
    expect(r.number("big")).toBe(9007199254740991);
    expect(r.textOrNull("none")).toBeNull();
    expect(r.numberOrNull("none")).toBeNull();
    expect(r.date("at")).toBe(at);
    expect(r.oneOf("kind", ["todo", "done"] as const)).toBe("todo");
    expect(r.json("data", (v): v is { x: number } => typeof v === "object" && v !== null, "an object")).toEqual({ x: 1 });
  });

  it("fail with the column's name when a value is not what the query promised", () => {
    const r = readRow({ id: 7, kind: "doing", n: "", at: "2026-12-02" }, "tasks row");
    expect(() => r.text("id")).toThrow(new RowDecodeError("tasks row", "id", "text", 7));
    expect(() => r.text("id")).toThrow("tasks row: column id should be text, got number");
    expect(() => r.oneOf("kind", ["todo", "done"] as const)).toThrow(/column kind should be todo \| done/);
    expect(() => r.number("n")).toThrow(/column n should be a number/);
    expect(() => r.date("at")).toThrow(/column at should be a timestamp/);
    expect(() => r.text("missing")).toThrow(/got undefined/);
    expect(() => readRow(null, "tasks row")).toThrow(/should be an object/);
  });
});
