import { describe, expect, it } from "vitest";
import { MASK, redactSecrets } from "./redact";
import { summarizeToolArgs } from "./normalize";

describe("redactSecrets", () => {
  it.each([
    ['exec: curl -H "Authorization: Bearer sk-live-1234567890abcdef" https://api.example.com', "sk-live-1234567890abcdef"],
    ["exec: PGPASSWORD=hunter2 psql -h db", "hunter2"],
    ["fetch https://api.example.com/v1?api_key=SECRET123&q=cats", "SECRET123"],
    ["gh_login token=ghp_abcdefSECRETabcdef1234 user=bob", "ghp_abcdefSECRETabcdef1234"],
    ["approval: export OPENAI_API_KEY=sk-proj-abcdefghijklmnop", "sk-proj-abcdefghijklmnop"],
    ["exec: mysql --password=topsecret -u root", "topsecret"],
    ["exec: tool --token abc123def login", "abc123def"],
    ['{"client_secret": "s3cr3t-value", "name": "x"}', "s3cr3t-value"],
    ["git clone https://bob:p4ssw0rd@github.com/acme/repo.git", "p4ssw0rd"],
    ["AWS key AKIAABCDEFGHIJKLMNOP in the log", "AKIAABCDEFGHIJKLMNOP"],
    ["slack xoxb-1234567890-abcdefghij posted", "xoxb-1234567890-abcdefghij"],
    ["jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "eyJhbGciOiJIUzI1NiJ9"],
    ["-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", "MIIEpAIBAAKCAQEA"],
  ])("masks the secret in %s", (text, secret) => {
    const out = redactSecrets(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(MASK);
  });

  it.each([
    "read src/app.ts",
    "exec: npm test -- --run",
    "search: openclaw docs",
    "fetch https://example.com/docs/page?lang=en",
    "main → ls: ls .",
    "The build passed: 12 tests, 0 failures.",
    "exec: git log --oneline -5",
    "session_status: session_status",
    "tokens: 1200, max_tokens=4096",
    "Author: Jane Doe; authentication: enabled",
  ])("leaves ordinary text alone: %s", (text) => {
    expect(redactSecrets(text)).toBe(text);
  });

  it("keeps what the command does while masking the credential", () => {
    expect(redactSecrets("exec: PGPASSWORD=hunter2 psql -h db")).toBe(`exec: PGPASSWORD=${MASK} psql -h db`);
    expect(redactSecrets('exec: curl -H "Authorization: Bearer abcdef123456" https://x')).toBe(`exec: curl -H "Authorization: Bearer ${MASK}" https://x`);
  });

  it("is applied to tool summaries", () => {
    expect(summarizeToolArgs("exec", { command: "PGPASSWORD=hunter2 psql" })).toBe(`exec: PGPASSWORD=${MASK} psql`);
    expect(summarizeToolArgs("gh_login", { token: "ghp_abcdefSECRETabcdef1234", user: "bob" })).not.toContain("SECRET");
  });
});

describe("the quick look before the full pass", () => {
  it("lets through every text the full pass would change, in any case", () => {
    for (const text of ["BEARER abcdef123456", "Basic dXNlcjpwYXNz", "PassWord=hunter22", "X-API-KEY: abcdef", "Private_Key=abc123", "COOKIE: sid=abc123"]) {
      expect(redactSecrets(text)).not.toBe(text);
    }
  });
});
