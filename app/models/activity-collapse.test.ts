import { describe, expect, it } from "vitest";
import { collapseReconnects, type CollapsibleRow } from "./activity-collapse";

const T0 = Date.parse("2026-12-02T10:00:00Z");
let nextId = 1;
const state = (gatewayId: string, value: string, atSeconds: number): CollapsibleRow => ({
  id: String(nextId++),
  type: "gateway_status_changed",
  createdAt: new Date(T0 + atSeconds * 1000),
  data: { gatewayId, state: value },
});
const other = (atSeconds: number, type = "task_created"): CollapsibleRow => ({ id: String(nextId++), type, createdAt: new Date(T0 + atSeconds * 1000), data: {} });
/** rows are written oldest first; the feed reads them newest first */
const feed = (...rows: CollapsibleRow[]) => [...rows].reverse();
const shape = (items: ReturnType<typeof collapseReconnects>) =>
  items.map((item) => ("row" in item ? `${item.row.type}:${String(item.row.data.state ?? "")}` : `reconnect:${item.reconnect.gatewayIds.join(",")}${item.reconnect.first ? ":first" : ""}`));

describe("collapseReconnects", () => {
  it("folds a restart's connecting/online burst of several gateways into one line, placed at its newest row", () => {
    const rows = feed(other(0), state("a", "connecting", 60), state("b", "connecting", 60), state("a", "online", 61), state("b", "online", 63), other(90));
    const items = collapseReconnects(rows);
    expect(shape(items)).toEqual(["task_created:", "reconnect:a,b", "task_created:"]);
    const line = items[1]!;
    expect("reconnect" in line && line.reconnect).toMatchObject({ id: rows[1]!.id, rows: 4, first: false });
  });

  it("keeps a real outage line by line", () => {
    const rows = feed(state("a", "connecting", 0), state("a", "offline", 5), state("a", "connecting", 300), state("a", "online", 600));
    expect(shape(collapseReconnects(rows))).toEqual(["gateway_status_changed:online", "gateway_status_changed:connecting", "gateway_status_changed:offline", "gateway_status_changed:connecting"]);
  });

  it("keeps a run that passed through a state a person must act on, however short", () => {
    const rows = feed(state("a", "connecting", 0), state("a", "unauthorized", 1), state("a", "online", 20));
    expect(collapseReconnects(rows)).toHaveLength(3);
  });

  it("leaves a gateway that has not come back yet alone, and says 'first' for a gateway just added", () => {
    const rows = feed(other(0, "gateway_created"), state("a", "connecting", 0), state("a", "online", 2), state("b", "connecting", 400));
    rows.find((row) => row.type === "gateway_created")!.data.gatewayId = "a";
    expect(shape(collapseReconnects(rows))).toEqual(["gateway_status_changed:connecting", "reconnect:a:first", "gateway_created:"]);
  });

  it("shows reconnects far apart as separate lines (a flapping gateway stays visible)", () => {
    const rows = feed(state("a", "connecting", 0), state("a", "online", 2), state("a", "connecting", 1000), state("a", "online", 1003));
    expect(shape(collapseReconnects(rows))).toEqual(["reconnect:a", "reconnect:a"]);
  });
});
