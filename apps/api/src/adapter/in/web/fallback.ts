import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { expressPath, type Endpoint } from './endpoint.js';
import { Problem } from './problem.js';
import { sendProblem } from './sendProblem.js';

interface KnownPath {
  pattern: RegExp;
  route: string;
  methods: Set<string>;
}

/**
 * Answers what no route took: 405 with Allow when the path is known under other methods (204 for
 * OPTIONS), else 404.
 */
export function fallback(endpoints: readonly Endpoint[]): RequestHandler {
  const known = new Map<string, KnownPath>();
  for (const { path, method } of endpoints) {
    const entry = known.get(path) ?? { pattern: pathPattern(path), route: expressPath(path), methods: new Set<string>() };
    entry.methods.add(method.toUpperCase());
    if (method === 'get') entry.methods.add('HEAD');
    known.set(path, entry);
  }
  const paths = [...known.values()];
  return (req: Request, res: Response, _next: NextFunction) => {
    const match = paths.find((entry) => entry.pattern.test(req.path));
    if (!match) {
      res.locals.route ??= '(unmatched)';
      return sendProblem(req, res, new Problem('NOT_FOUND', { params: { path: req.path } }));
    }
    res.locals.route = match.route;
    const allow = [...match.methods, 'OPTIONS'].join(', ');
    res.setHeader('Allow', allow);
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    sendProblem(req, res, new Problem('METHOD_NOT_ALLOWED', { params: { method: req.method, allow } }));
  };
}

function pathPattern(path: string): RegExp {
  const source = path
    .split(/(\{\w+\})/)
    .map((part) => (/^\{\w+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}/?$`, 'i');
}
