import { performance } from 'node:perf_hooks';
import { HttpClient, type JsonBody, runPool } from '@ticketing/testkit';

/** What each baseline design reports; shared by run.ts and the designs it runs. */
export interface BaselineResult {
  requests: number;
  stock: number;
  decisionsPerSecond: number;
  elapsedMs: number;
  p50: number;
  p99: number;
  violations: number;
}

/** One answer of a synchronous baseline endpoint; `sentAt` on the wall clock in ms (to compare with the database's). */
export interface StreamAnswer {
  memberId: number;
  sentAt: number;
  latencyMs: number;
  status: number;
  body: JsonBody;
}

/** Sends the stream to a synchronous baseline endpoint from 256 keep-alive clients, as (a), (b) and (d) are driven. */
export async function sendStream(port: number, stream: number[]): Promise<{ answers: StreamAnswer[]; elapsedMs: number }> {
  const client = new HttpClient(256);
  try {
    const t0 = performance.now();
    const answers = await runPool(stream.length, 256, async (n) => {
      const sentAt = performance.now();
      const res = await client.post(`http://127.0.0.1:${port}/issue`, { memberId: stream[n] });
      const latencyMs = performance.now() - sentAt;
      return { memberId: stream[n]!, sentAt: performance.timeOrigin + sentAt, latencyMs, status: res.status, body: res.body };
    });
    return { answers, elapsedMs: performance.now() - t0 };
  } finally {
    client.close();
  }
}
