/*
 * Secrets out of what agent activity shows. A tool summary ("exec: curl -H 'Authorization: Bearer …'")
 * or a message may carry a credential; the activity stream reaches every member of the organization
 * and is kept for 30 days, so credentials are masked before anything is stored. Patterns, not
 * proof: what looks like a secret by its name or its shape.
 */

export const MASK = "•••";

/** Names whose value is a secret: PASSWORD=, api_key:, --token, X-Api-Key, client_secret… */
// The keyword ends the name or is followed by a separator: PGPASSWORD, OPENAI_API_KEY, X-Auth-Token
// and client_secret are names of secrets; "tokens", "author" and "authentication" are not.
const SECRET_NAME = String.raw`[\w.-]*?(?:passw(?:or)?d|passwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth|authorization|credentials?|cookie)(?![a-z0-9])(?:[_.-][\w.-]*)?`;

const PATTERNS: Array<[RegExp, string]> = [
  // Authorization: Bearer xyz / Basic xyz
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${MASK}`],
  // NAME=value, NAME: value, "NAME": "value", --name value, --name=value (value up to a space, quote or &)
  [new RegExp(String.raw`(["']?-{0,2}${SECRET_NAME}["']?\s*[:=]\s*["']?)(?!(?:Bearer|Basic|Token)\s)[^\s"'&,;}]{3,}`, "gi"), `$1${MASK}`],
  [new RegExp(String.raw`(\s--?${SECRET_NAME}\s+)(?!-)[^\s"']{3,}`, "gi"), `$1${MASK}`],
  // user:password@ in URLs
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, `$1${MASK}@`],
  // well-known token shapes
  [/\b(?:sk|pk|rk)-(?:[a-z]+-)?[A-Za-z0-9_-]{12,}/g, MASK],
  [/\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,}/g, MASK],
  [/\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,})/g, MASK],
  [/\bxox[abpors]-[A-Za-z0-9-]{10,}/g, MASK],
  [/\bglpat-[A-Za-z0-9_-]{16,}/g, MASK],
  [/\bAKIA[0-9A-Z]{16}\b/g, MASK],
  [/\bAIza[0-9A-Za-z_-]{30,}/g, MASK],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, MASK],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, `${MASK} private key ${MASK}`],
];

/** "token" -> "[Tt][Oo][Kk][Ee][Nn]": case-insensitive without the /i flag, which scans about twice as slowly here. */
const anyCase = (word: string) => word.replace(/[a-z]/g, (c) => `[${c.toUpperCase()}${c}]`);

/**
 * A quick look before the full pass (one scan instead of thirteen): text without any of these cannot
 * match a pattern above. Most activity text has none, and the normalizer's throughput depends on
 * this scan being cheap.
 */
const MAYBE = new RegExp(
  [
    ...["passw", "secret", "token", "auth", "credential", "cookie", "bearer"].map(anyCase),
    `${anyCase("basic")}\\s`,
    `${anyCase("api")}[_-]?${anyCase("key")}`,
    `(?:${anyCase("access")}|${anyCase("private")})[_-]?${anyCase("key")}`,
    String.raw`:\/\/[^\s/@]+:[^\s@/]+@`,
    String.raw`\b[spr]k[-_]`,
    "gh[pousr]_|github_pat_|xox[abpors]-|glpat-|AKIA|AIza|eyJ|-----BEGIN",
  ].join("|"),
);

export function redactSecrets(text: string): string {
  if (!MAYBE.test(text)) return text;
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
