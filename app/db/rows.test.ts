import { describe, expect, it } from "vitest";
import { z } from "zod";
import { affectedCount, col, returnedRows, rowDecoder, RowShapeError } from "./rows";
import { readRow, RowDecodeError } from "./rows";

const decoder = rowDecoder("things: list", z.object({ id: col.uuid, count: col.int, at: col.timestamp, note: col.text.nullable() }));
const at = new Date("2026-12-02T06:00:00Z");

describe("rowDecoder", () => {
  it("passes rows of the declared shape through, typed", () => {
    const rows = [{ id: "a", count: 2, at, note: null }];
    expect(decoder.all(rows)).toEqual(rows);
    expect(decoder.first(rows)).toEqual(rows[0]);
    expect(decoder.one(rows)).toEqual(rows[0]);
    expect(decoder.first([])).toBeNull();
  });

  it("throws a sentence naming the query and the column on a row of the wrong shape, and coerces nothing", () => {
    // a bigint count (what count(*) without ::int returns) and a timestamp as text
    const wrong = [{ id: "a", count: "2", at: at.toISOString(), note: null }];
    expect(() => decoder.all(wrong)).toThrow(RowShapeError);
    expect(() => decoder.all(wrong)).toThrow(/^The query "things: list" returned a row of the wrong shape: row 0 column count: Expected number, received string; row 0 column at: Expected date/);
    expect(() => decoder.first([{ id: "a", at, note: null }])).toThrow(/row 0 column count: Required/);
  });

  it("refuses something that is not a list of rows", () => {
    expect(() => decoder.all([[], 0])).toThrow(RowShapeError);
    expect(() => decoder.all(undefined)).toThrow(RowShapeError);
  });

  it("one() wants exactly one row", () => {
    expect(() => decoder.one([])).toThrow(/expected one row, got 0/);
    expect(() => decoder.one([{ id: "a", count: 1, at, note: "x" }, { id: "b", count: 1, at, note: "y" }])).toThrow(/got 2/);
  });
});

describe("affectedCount / returnedRows", () => {
  it("read TypeORM's [rows, count] answer to an UPDATE or DELETE", () => {
    expect(affectedCount([[], 3])).toBe(3);
    expect(returnedRows([[{ id: "a" }], 1])).toEqual([{ id: "a" }]);
  });

  it("throw on a SELECT's or INSERT's plain row list (reading it as [rows, count] would be wrong)", () => {
    expect(() => affectedCount([{ id: "a" }, { id: "b" }])).toThrow(RowShapeError);
    expect(() => returnedRows([])).toThrow(RowShapeError);
  });
});

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
