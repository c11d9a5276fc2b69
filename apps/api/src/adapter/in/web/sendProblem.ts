import type { Request, Response } from 'express';
import type { Language } from './messages.js';
import type { Problem } from './problem.js';
import { PROBLEM_CONTENT_TYPE, problemDocument } from './problemDocument.js';

/** Answers with the problem document, in Korean unless the client prefers English. */
export function sendProblem(req: Request, res: Response, problem: Problem): void {
  const language = preferredLanguage(req);
  for (const [name, value] of Object.entries(problem.options.headers ?? {})) res.setHeader(name, value);
  res.setHeader('Content-Language', language);
  res.vary('Accept-Language');
  res
    .status(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .json(problemDocument(problem, language, req.originalUrl));
}

function preferredLanguage(req: Request): Language {
  return req.acceptsLanguages('ko', 'en') === 'en' ? 'en' : 'ko';
}
