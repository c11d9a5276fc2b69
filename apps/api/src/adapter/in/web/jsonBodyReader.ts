import express, { type Request, type RequestHandler } from 'express';
import { Problem } from './problem.js';
import { sendProblem } from './sendProblem.js';

export const BODY_LIMIT_BYTES = 16 * 1024;

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * Reads a JSON body. A body of another type is refused with 415 before a byte is read; an absent
 * (or empty) body is left undefined for the schema to judge.
 */
export function jsonBodyReader(): RequestHandler {
  const parse = express.json({ limit: BODY_LIMIT_BYTES, type: JSON_TYPES, strict: true });
  return (req, res, next) => {
    if (!hasBody(req)) return next();
    if (!req.is(JSON_TYPES)) return sendProblem(req, res, new Problem('UNSUPPORTED_MEDIA_TYPE'));
    parse(req, res, next);
  };
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
