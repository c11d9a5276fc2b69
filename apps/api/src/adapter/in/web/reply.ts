import type { Request, Response } from 'express';
import { Problem } from './problem.js';
import { sendProblem } from './sendProblem.js';

/** What a handler answers: a JSON body, a text body, an empty body, a stream it writes itself, or a problem. */
export type Reply =
  | { kind: 'json'; status: number; body: unknown; headers?: Readonly<Record<string, string>> }
  | { kind: 'text'; status: number; body: string; contentType: string }
  | { kind: 'empty'; status: number }
  | { kind: 'stream'; open(res: Response): void }
  | Problem;

export const json = (status: number, body: unknown, headers?: Readonly<Record<string, string>>): Reply => ({
  kind: 'json',
  status,
  body,
  ...(headers ? { headers } : {}),
});
export const empty = (status: number): Reply => ({ kind: 'empty', status });
export const text = (status: number, body: string, contentType: string): Reply => ({ kind: 'text', status, body, contentType });
/** The response is the handler's to write from here on (an event stream), once every check has passed. */
export const stream = (open: (res: Response) => void): Reply => ({ kind: 'stream', open });

/** Writes a handler's reply to the response. */
export function sendReply(req: Request, res: Response, reply: Reply): void {
  if (reply instanceof Problem) {
    sendProblem(req, res, reply);
    return;
  }
  if (reply.kind === 'stream') {
    reply.open(res);
    return;
  }
  if (reply.kind === 'empty') {
    res.status(reply.status).end();
    return;
  }
  if (reply.kind === 'text') {
    res.status(reply.status).type(reply.contentType).send(reply.body);
    return;
  }
  if (reply.headers) for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
  sendJson(res, reply.status, reply.body);
}

/**
 * What `res.status(s).json(body)` sends (ETag is off), without Express re-parsing and re-writing
 * its own Content-Type to add the charset on every answer. Node leaves the body out for HEAD.
 */
function sendJson(res: Response, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.end(payload);
}
