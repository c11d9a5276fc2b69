import { readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { StreamsClientResult, StreamsPlan } from './plan.js';

/**
 * The stream benchmark's watchers, in a process of their own so that their work is not the API's
 * and is measured apart. Raw sockets, no HTTP client: one request written by hand per stream and
 * the response scanned for `event:`/`data:` lines (chunk-size lines sit between frames, never
 * inside one, since the API writes each frame in one write), so thousands of streams cost this
 * process little. `Connection: close`, so a stream the API ends (its 55 s lifetime) closes the
 * socket, and the watcher reconnects after the `retry:` second, as EventSource does.
 */
const plan = JSON.parse(readFileSync(process.env.STREAMS_PLAN!, 'utf8')) as StreamsPlan;
const RETRY_MS = 1000;
const now = () => performance.timeOrigin + performance.now();

const result: StreamsClientResult = {
  opened: 0,
  openedAtStart: 0,
  refused: {},
  connections: 0,
  errors: 0,
  decisions: 0,
  decisionStatus: {},
  positions: [],
  cpuOpenMs: 0,
  cpuDrainMs: 0,
  drainWallMs: 0,
  timedOut: false,
};
const total = plan.watchers.length;
/** Watchers whose first connection has its answer (200 or not): the streams are open when all have. */
let answered = 0;
/** Watchers done: decided, or refused. */
let finished = 0;
let inFlight = 0;
let next = 0;
let openAt = 0;
const cpuStart = process.cpuUsage();
let cpuAtOpen = cpuStart;
const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

function watch(index: number, firstConnection: boolean): void {
  const { requestId, token } = plan.watchers[index]!;
  result.connections += 1;
  const socket: Socket = connect({ host: plan.host, port: plan.port });
  socket.setNoDelay(true);
  socket.setEncoding('utf8');
  let buffer = '';
  let headers = true;
  let firstEvent = true;
  let decided = false;
  socket.on('connect', () => {
    socket.write(
      `GET /api/v1/issue-requests/${encodeURIComponent(requestId)}/events HTTP/1.1\r\nHost: ${plan.host}:${plan.port}\r\n` +
        `Authorization: Bearer ${token}\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n`,
    );
  });
  socket.on('data', (chunk: string) => {
    const at = now();
    buffer += chunk;
    if (headers) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      headers = false;
      const status = Number(buffer.slice(9, 12));
      buffer = buffer.slice(end + 4);
      if (firstConnection) opening(status === 200);
      if (status !== 200) {
        // Refused at first: counted, and nothing more to wait for. Refused on a reconnect (its
        // slot not yet released): tried again after the retry second, as EventSource would.
        if (firstConnection) {
          result.refused[status] = (result.refused[status] ?? 0) + 1;
          decided = true;
          finish();
        }
        socket.destroy();
        return;
      }
    }
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /event: (\w+)\ndata: (.*)/.exec(frame);
      if (!event) continue;
      if (event[1] === 'position') {
        result.positions.push(index, Math.round(at * 10) / 10, Number(/"position":(\d+)/.exec(event[2]!)?.[1]), firstEvent ? 1 : 0);
        firstEvent = false;
      } else if (event[1] === 'decision') {
        decided = true;
        result.decisions += 1;
        const status = /"status":"(\w+)"/.exec(event[2]!)?.[1] ?? 'unknown';
        result.decisionStatus[status] = (result.decisionStatus[status] ?? 0) + 1;
        finish();
        socket.destroy();
      }
    }
  });
  socket.on('error', () => {
    result.errors += 1;
  });
  socket.on('close', () => {
    if (headers && firstConnection) opening(false);
    if (decided || result.timedOut) return;
    setTimeout(() => watch(index, false), RETRY_MS);
  });
}

/** The first answer of a watcher's first connection: the next one may open. */
function opening(ok: boolean): void {
  if (ok) result.opened += 1;
  answered += 1;
  if (answered % 1000 === 0) process.stdout.write(`streams: ${answered} answered after ${Math.round(performance.now())} ms\n`);
  inFlight -= 1;
  openMore();
  if (answered === total) allOpen();
}

/** The streams are open (or the open limit came): the drain may start. */
function allOpen(): void {
  if (openAt !== 0) return;
  clearTimeout(openLimit);
  openAt = now();
  cpuAtOpen = process.cpuUsage();
  result.cpuOpenMs = cpuMs(process.cpuUsage(cpuStart));
  result.openedAtStart = result.opened;
  process.stdout.write(`streams open ${result.opened} of ${total}${answered < total ? ' at the open limit' : ''}\n`);
}

function openMore(): void {
  while (inFlight < plan.openWindow && next < total) {
    inFlight += 1;
    watch(next++, true);
  }
}

function finish(): void {
  finished += 1;
  if (finished === total) report();
}

function report(): void {
  clearTimeout(deadline);
  result.cpuDrainMs = cpuMs(process.cpuUsage(cpuAtOpen));
  result.drainWallMs = openAt === 0 ? 0 : Math.round(now() - openAt);
  writeFileSync(plan.resultPath, JSON.stringify(result));
  process.stdout.write(`streams done ${result.decisions}\n`);
  process.exit(0);
}

const openLimit = setTimeout(allOpen, Math.max(0, plan.openLimitAtMs - Date.now()));
const deadline = setTimeout(
  () => {
    result.timedOut = true;
    report();
  },
  Math.max(0, plan.deadlineAtMs - Date.now()),
);

openMore();
