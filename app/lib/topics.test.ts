import { describe, expect, it } from "vitest";
import { follows, isPrivateTopic, MAX_TOPICS_PER_STREAM, parseTopic, parseTopicList, topic } from "./topics";

const ID = "6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b";

describe("topic builders and the parser", () => {
  it("parse what they build", () => {
    expect(parseTopic(topic.board(ID))).toEqual({ kind: "board", id: ID });
    expect(parseTopic(topic.agent(ID))).toEqual({ kind: "agent", id: ID });
    expect(parseTopic(topic.gateway(ID))).toEqual({ kind: "gateway", id: ID });
    expect(parseTopic(topic.agentSession(ID))).toEqual({ kind: "agent-session", id: ID });
    expect(parseTopic(topic.tasks)).toEqual({ kind: "feed", name: "tasks" });
    // a browser session's id is a hash, not a uuid
    expect(parseTopic(topic.session("ab12cd"))).toEqual({ kind: "session", id: "ab12cd" });
  });

  it("reject what is not a topic", () => {
    for (const value of ["", "board", "board:", "board:not-a-uuid", `nope:${ID}`, `:${ID}`, "Tasks", "session:", `board:${ID}x`]) {
      expect(parseTopic(value), value).toBeNull();
    }
  });

  it("tell private topics from the organization's", () => {
    expect([topic.session("x"), topic.user(ID), topic.token(ID)].every(isPrivateTopic)).toBe(true);
    expect([topic.tasks, topic.board(ID), topic.agentSession(ID), "sessions"].some(isPrivateTopic)).toBe(false);
  });
});

describe("parseTopicList", () => {
  it("names no topics: follow everything", () => {
    expect(parseTopicList(null)).toEqual({ topics: null });
    expect(parseTopicList("")).toEqual({ topics: null });
    expect(parseTopicList(" , ")).toEqual({ topics: null });
  });

  it("de-duplicates and keeps order", () => {
    expect(parseTopicList(`tasks, ${topic.board(ID)},tasks`)).toEqual({
      topics: [
        { kind: "feed", name: "tasks", topic: "tasks" },
        { kind: "board", id: ID, topic: topic.board(ID) },
      ],
    });
  });

  it("refuses unknown and private topics, and too many", () => {
    expect(parseTopicList("tasks,board:1")).toEqual({ problem: { code: "unknown_topic", message: 'Unknown topic "board:1".', topic: "board:1" } });
    expect(parseTopicList(topic.user(ID))).toMatchObject({ problem: { code: "unknown_topic", topic: topic.user(ID) } });
    const many = Array.from({ length: MAX_TOPICS_PER_STREAM + 1 }, (_, n) => topic.board(ID.slice(0, -2) + String(n).padStart(2, "0"))).join(",");
    expect(parseTopicList(many)).toMatchObject({ problem: { code: "too_many_topics" } });
  });
});

describe("follows (the matching rule)", () => {
  const own = new Set([topic.session("mine")]);
  it("a stream with topics gets events on one of them, or on its own private topics", () => {
    const followed = new Set([topic.board(ID)]);
    expect(follows(followed, own, [topic.tasks, topic.board(ID)])).toBe(true);
    expect(follows(followed, own, [topic.tasks])).toBe(false);
    expect(follows(followed, own, [topic.session("mine")])).toBe(true);
    expect(follows(followed, own, [topic.session("theirs")])).toBe(false);
  });

  it("a stream without topics gets every organization topic and its own private ones, never another credential's", () => {
    expect(follows(null, own, [topic.tasks])).toBe(true);
    expect(follows(null, own, [topic.agentSession(ID)])).toBe(true);
    expect(follows(null, own, [topic.session("mine")])).toBe(true);
    expect(follows(null, own, [topic.session("theirs")])).toBe(false);
    expect(follows(null, own, [topic.user(ID), topic.token(ID)])).toBe(false);
    expect(follows(null, own, [])).toBe(false);
  });
});
