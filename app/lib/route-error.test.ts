import { describe, expect, it } from "vitest";
import { describeRouteError } from "./route-error";

describe("describeRouteError", () => {
  it("says the server could not be reached when fetch found no answer", () => {
    expect(describeRouteError(new TypeError("Failed to fetch"))).toMatchObject({ status: 503, title: "Mission Control cannot be reached" });
    expect(describeRouteError(new TypeError("Load failed")).title).toBe("Mission Control cannot be reached");
  });

  it("keeps a programming error generic", () => {
    expect(describeRouteError(new TypeError("x is not a function"))).toMatchObject({ status: 500, title: "Something went wrong" });
  });
});
