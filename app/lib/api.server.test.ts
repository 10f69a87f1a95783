import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseJsonBody, parseQuery, readJsonBody, validationFailed } from "./api.server";

async function refusal(work: () => Promise<unknown> | unknown) {
  try {
    await work();
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    return { status: thrown.status, body: (await thrown.json()) as { error: { code: string; message: string; details?: Record<string, string[]> } } };
  }
  throw new Error("expected a refusal");
}

const post = (body: BodyInit, headers: Record<string, string> = {}) => new Request("http://localhost/api/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);

describe("validationFailed", () => {
  const Strict = z.object({ title: z.string() }).strict();

  it.each(["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"])("lists an unknown field named %s instead of throwing", async (key) => {
    const input = JSON.parse(`{"title":"x",${JSON.stringify(key)}:1}`) as unknown;
    const response = validationFailed(Strict.safeParse(input).error!);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { details: Record<string, string[]> } };
    expect(Object.entries(body.error.details)).toEqual([[key, ["Unknown field"]]]);
  });

  it("keeps several messages for one field and puts whole-object errors in the message", async () => {
    const Schema = z.object({ a: z.string().min(3).regex(/^\d+$/) }).refine(() => false, "Send at least one field");
    const response = validationFailed(Schema.safeParse({ a: "x" }).error!);
    const body = (await response.json()) as { error: { message: string; details: Record<string, string[]> } };
    expect(body.error.details.a).toHaveLength(2);
    const whole = validationFailed(Schema.safeParse({ a: "12345" }).error!);
    expect(((await whole.json()) as { error: { message: string } }).error.message).toBe("Send at least one field");
  });
});

describe("readJsonBody", () => {
  it("refuses a NUL in a string with a 400 naming the field", async () => {
    const { status, body } = await refusal(() => readJsonBody(post('{"title":"a\\u0000b"}')));
    expect(status).toBe(400);
    expect(body.error.code).toBe("invalid_text");
    expect(body.error.message).toContain('"title"');
    expect(body.error.message).toContain("NUL");
    expect(Object.keys(body.error.details!)).toEqual(["title"]);
  });

  it("names the place of a NUL deep in an array, and one in a key", async () => {
    const nested = await refusal(() => readJsonBody(post('{"tags":["ok","bad\\u0000"]}')));
    expect(nested.body.error.message).toContain('"tags[1]"');
    const key = await refusal(() => readJsonBody(post('{"a\\u0000":1}')));
    expect(key.body.error.message).toMatch(/^The name of field/);
  });

  it("says 'the request body' when the body itself is a string with a NUL", async () => {
    const { body } = await refusal(() => readJsonBody(post('"\\u0000"')));
    expect(body.error.message).toMatch(/^The request body contains a NUL character/);
    expect(body.error.details).toBeUndefined();
  });

  it("refuses a lone surrogate, which jsonb cannot store", async () => {
    const { status, body } = await refusal(() => readJsonBody(post('{"title":"\\ud800"}')));
    expect(status).toBe(400);
    expect(body.error.message).toContain("surrogate");
  });

  it("accepts a surrogate pair (an emoji)", async () => {
    await expect(readJsonBody(post('{"title":"\\ud83d\\ude00"}'))).resolves.toEqual({ title: "😀" });
  });

  it("refuses 100k levels of nesting without overflowing the stack", async () => {
    const { status, body } = await refusal(() => readJsonBody(post("[".repeat(100_000) + "]".repeat(100_000))));
    expect(status).toBe(400);
    expect(body.error.message).toContain("nested more than");
  });

  it("refuses invalid UTF-8 and an empty body", async () => {
    expect((await refusal(() => readJsonBody(post(new Uint8Array([0x7b, 0xff, 0x7d]))))).body.error.message).toContain("UTF-8");
    expect((await refusal(() => readJsonBody(post("  ")))).body.error.message).toContain("empty");
  });

  it("refuses a body over the cap, declared or streamed", async () => {
    expect((await refusal(() => readJsonBody(post("{}", { "Content-Length": "5000" }), 1000))).status).toBe(413);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(600).fill(0x20));
      },
    });
    expect((await refusal(() => readJsonBody(post(stream), 1000))).status).toBe(413);
  });

  it("hands a prototype-named key to the schema as a plain field", async () => {
    const Loose = z.object({ title: z.string() });
    await expect(parseJsonBody(post('{"title":"x","__proto__":{"polluted":1}}'), Loose)).resolves.toEqual({ title: "x" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("parseQuery", () => {
  const Query = z.object({ status: z.string().optional() });

  it("refuses a NUL in a value or a name with a sentence naming the parameter", async () => {
    const value = await refusal(() => parseQuery(new Request("http://localhost/api/x?status=a%00"), Query));
    expect(value.status).toBe(400);
    expect(value.body.error.message).toContain('query parameter "status"');
    const name = await refusal(() => parseQuery(new Request("http://localhost/api/x?st%00atus=a"), Query));
    expect(name.status).toBe(400);
  });

  it("treats prototype-named parameters as plain (unknown) names", () => {
    expect(parseQuery(new Request("http://localhost/api/x?constructor=1&__proto__=2&status=open"), Query)).toEqual({ status: "open" });
  });
});
