import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseForm, refuseOnDomainError } from "./forms.server";
import { DomainError } from "./http.server";

const Schema = z.object({ title: z.string().min(1), tags: z.string().optional() });

function form(entries: Array<[string, string | Blob]>) {
  const data = new FormData();
  for (const [name, value] of entries) data.append(name, value);
  return data;
}

describe("parseForm", () => {
  it("parses a plain form like parseWithZod", () => {
    const submission = parseForm(form([["title", "Ship it"]]), { schema: Schema });
    expect(submission.status).toBe("success");
    expect(submission.status === "success" && submission.value).toEqual({ title: "Ship it" });
  });

  it("refuses a NUL with an error beside the field and keeps the other values", () => {
    const submission = parseForm(form([["title", "a\u0000b"], ["tags", "x"]]), { schema: Schema });
    expect(submission.status).toBe("error");
    const reply = submission.reply();
    expect(reply.error?.title?.[0]).toMatch(/^The field "title" contains a NUL character/);
    expect(reply.initialValue).toEqual({ tags: "x" });
  });

  it("refuses a NUL even where the schema would pass it (an optional free-text field)", () => {
    expect(parseForm(form([["title", "ok"], ["tags", "\u0000"]]), { schema: Schema }).status).toBe("error");
  });

  it.each([
    ["constructor"],
    ["__proto__"],
    ["toString"],
    ["title[99999999]"],
    ["x["],
    [""],
    ["a.constructor"],
  ])("refuses a field named %j as a form error instead of throwing or allocating", (name) => {
    const submission = parseForm(form([["title", "ok"], [name, "x"]]), { schema: Schema });
    expect(submission.status).toBe("error");
    expect(submission.reply().error?.[""]?.[0]).toMatch(/which no form here has|NUL/);
  });

  it.each([["__state__"], ["__intent__"]])("answers a malformed conform %s with a form error (conform threw: a 500)", (name) => {
    const submission = parseForm(form([["title", "ok"], [name, "{not json"]]), { schema: Schema });
    expect(submission.status).toBe("error");
    expect(submission.reply().error?.[""]?.[0]).toMatch(/^The form could not be read/);
  });

  it("refuses a file where text belongs", () => {
    const submission = parseForm(form([["title", new Blob(["x"])]]), { schema: Schema });
    expect(submission.status).toBe("error");
    expect(submission.reply().error?.title?.[0]).toContain("file");
  });
});

describe("refuseOnDomainError", () => {
  it("turns a DomainError into a thrown Response with its status and sentence", async () => {
    const thrown = await refuseOnDomainError(Promise.reject(new DomainError(404, "not_found", "That board group does not exist."))).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).status).toBe(404);
    expect(await (thrown as Response).text()).toBe("That board group does not exist.");
  });

  it("lets anything else through", async () => {
    await expect(refuseOnDomainError(Promise.reject(new Error("bug")))).rejects.toThrow("bug");
    await expect(refuseOnDomainError(Promise.resolve(3))).resolves.toBe(3);
  });
});
