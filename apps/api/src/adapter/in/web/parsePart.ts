import type { z } from 'zod';
import { typeNames, type ValidationRule } from './messages.js';
import type { FieldError } from './problem.js';

export type Location = 'params' | 'query' | 'body';

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Parses one part of a request; a failure lists every refused field, language-neutral. */
export function parsePart<S extends z.ZodType>(schema: S, input: unknown, location: Location): Parsed<z.output<S>> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, errors: result.error.issues.flatMap((issue) => fieldErrors(issue, location)) };
}

function fieldErrors(issue: z.core.$ZodIssue, location: Location): FieldError[] {
  const path = [location, ...issue.path.map(String)].join('.');
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: `${path}.${key}`, rule: 'UNKNOWN_FIELD' }));
    case 'invalid_type':
      if (issue.input === undefined) return [{ path, rule: 'REQUIRED' }];
      if (issue.expected === 'int' && typeof issue.input === 'number') return [{ path, rule: 'INTEGER' }];
      return [
        { path, rule: 'EXPECTED_TYPE', params: { expected: typeNames[issue.expected] ?? { ko: issue.expected, en: issue.expected } } },
      ];
    case 'too_small':
      return [
        issue.origin === 'string'
          ? { path, rule: 'MIN_LENGTH', params: { min: issue.minimum } }
          : { path, rule: 'MIN_VALUE', params: { min: issue.minimum } },
      ];
    case 'too_big':
      return [
        issue.origin === 'string'
          ? { path, rule: 'MAX_LENGTH', params: { max: issue.maximum } }
          : { path, rule: 'MAX_VALUE', params: { max: issue.maximum } },
      ];
    case 'invalid_format':
      return [{ path, rule: issue.format === 'datetime' ? 'DATE_TIME' : 'INVALID' }];
    case 'custom': {
      const { rule, ...params } = (issue.params ?? {}) as { rule?: ValidationRule };
      return [{ path, rule: rule ?? 'INVALID', params }];
    }
    default:
      return [{ path, rule: 'INVALID' }];
  }
}
