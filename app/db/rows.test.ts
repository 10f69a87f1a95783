import { describe, expect, it } from "vitest";
import { z } from "zod";
import { affectedCount, col, returnedRows, rowDecoder, RowShapeError } from "./rows";

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
