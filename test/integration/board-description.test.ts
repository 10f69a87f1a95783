import { beforeAll, describe, expect, it } from "vitest";
import { createBoard } from "~/models/board.server";
import * as boardRoute from "~/routes/_app.boards.$boardId";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg } from "../support/fixtures";
import { pageRequest, ROUTE_ARGS, sessionCookieFor } from "../support/requests";

/*
 * A board's description is markdown written by people and agents (the API creates boards too):
 * the page's loader renders it to sanitised HTML, so raw HTML, event handlers and script links
 * in it arrive in the browser as text.
 */
useTestDatabase();

const HOSTILE = [
  "**Ship** the `v2` API — see [the plan](https://example.com/plan).",
  "",
  '<script>window.__owned = 1</script> <img src=x onerror="window.__owned = 2">',
  "",
  "[click](javascript:window.__owned=3) <a href=\"#\" onclick=\"window.__owned=4\">x</a>",
].join("\n");

let cookie = "";
let boardId = "";
let plainId = "";

beforeAll(async () => {
  const { user, org, actor } = await ownerWithOrg("board-md");
  cookie = await sessionCookieFor(user.id, org.id);
  boardId = (await createBoard({ orgId: org.id, input: { name: "Launch", description: HOSTILE, objective: "" }, actor })).id;
  plainId = (await createBoard({ orgId: org.id, input: { name: "Empty", description: "", objective: "" }, actor })).id;
});

const load = (id: string) => boardRoute.loader({ request: pageRequest(`/boards/${id}`, cookie), params: { boardId: id }, ...ROUTE_ARGS });

describe("a board's description", () => {
  it("is rendered as markdown by the loader", async () => {
    const { board } = await load(boardId);
    expect(board.descriptionHtml).toContain("<strong>Ship</strong>");
    expect(board.descriptionHtml).toContain("<code>v2</code>");
    expect(board.descriptionHtml).toContain('href="https://example.com/plan"');
    expect(board.description).toBe(HOSTILE); // the edit form still gets the source
  });

  it("never carries a tag, handler or script link from the source", async () => {
    const { board } = await load(boardId);
    const html = board.descriptionHtml;
    expect(html).not.toMatch(/<script|<img|<a href="#"|javascript:/i);
    expect(html).not.toMatch(/<[^>]+\son\w+=/i); // no element has an event handler attribute
    expect(html).toContain("&lt;script&gt;");
  });

  it("is empty HTML for an empty description", async () => {
    const { board } = await load(plainId);
    expect(board.descriptionHtml).toBe("");
  });
});
