import { describe, expect, it } from "vitest";
import { workQueue } from "./work-queue";

describe("workQueue", () => {
  it("runs work one piece at a time in the order handed in, past failures, and says when it is idle", async () => {
    const queue = workQueue();
    const log: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = queue.run(async () => {
      log.push("first starts");
      await held;
      log.push("first ends");
      return 1;
    });
    const failing = queue.run(async () => {
      log.push("second");
      throw new Error("boom");
    });
    const third = queue.run(async () => {
      log.push("third");
      return 3;
    });
    const idle = queue.idle().then(() => log.push("idle"));
    await Promise.resolve();
    expect(log).toEqual(["first starts"]);
    release();
    await expect(first).resolves.toBe(1);
    await expect(failing).rejects.toThrow("boom");
    await expect(third).resolves.toBe(3);
    await idle;
    expect(log).toEqual(["first starts", "first ends", "second", "third", "idle"]);
  });
});
