/** Reads server-sent event frames from a Response body, exactly as written. */
export interface Frame {
  raw: string;
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

export function parseFrame(raw: string): Frame {
  const frame: Frame = { raw };
  for (const line of raw.split("\n")) {
    if (line.startsWith(":")) frame.comment = line.slice(1).trim();
    else if (line.startsWith("id: ")) frame.id = line.slice(4);
    else if (line.startsWith("event: ")) frame.event = line.slice(7);
    else if (line.startsWith("data: ")) frame.data = line.slice(6);
  }
  return frame;
}

export class FrameReader {
  private buffer = "";
  private frames: Frame[] = [];
  private waiters: Array<() => void> = [];
  private done = false;
  private decoder = new TextDecoder();

  constructor(private readonly body: ReadableStream<Uint8Array>) {
    void this.pump();
  }

  private async pump() {
    const reader = this.body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.buffer += this.decoder.decode(value, { stream: true });
        let index: number;
        while ((index = this.buffer.indexOf("\n\n")) !== -1) {
          this.frames.push(parseFrame(this.buffer.slice(0, index)));
          this.buffer = this.buffer.slice(index + 2);
        }
        this.wake();
      }
    } catch {
      /* aborted */
    } finally {
      this.done = true;
      this.wake();
    }
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  get ended() {
    return this.done;
  }

  /** Resolves with the next frame matching `predicate` (frames before it are consumed). */
  async next(predicate: (frame: Frame) => boolean = (f) => Boolean(f.event), timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.frames.length > 0) {
        const frame = this.frames.shift()!;
        if (predicate(frame)) return frame;
      }
      if (this.done) throw new Error("the stream ended before the expected frame arrived");
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error("no matching frame within " + timeoutMs + " ms");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until the server closes the stream. */
  async untilEnded(timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (!this.done) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error("the stream did not end within " + timeoutMs + " ms");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Frames received and not yet consumed. */
  pending(): Frame[] {
    return [...this.frames];
  }
}

/** GET /events on a running server with a Bearer token, once its `ready` frame has arrived. */
export async function openEvents(baseUrl: string, { topics, token, signal }: { topics: string; token: string; signal?: AbortSignal }): Promise<FrameReader> {
  const response = await fetch(`${baseUrl}/events?topics=${topics}`, { headers: { Authorization: `Bearer ${token}` }, ...(signal ? { signal } : {}) });
  if (response.status !== 200) throw new Error(`GET /events answered ${response.status}: ${await response.text()}`);
  const frames = new FrameReader(response.body!);
  await frames.next((f) => f.event === "ready");
  return frames;
}
