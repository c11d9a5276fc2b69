import { fill, problemMessages, validationMessages, type Language, type ProblemCode } from './messages.js';
import type { Problem } from './problem.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details, as the client receives them. */
interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  instance: string;
  errors?: Array<{ path: string; message: string }>;
}

/** The problem written in `language`, about the request at `instance`. */
export function problemDocument(problem: Problem, language: Language, instance: string): ProblemDocument {
  const text = problemMessages[problem.code][language];
  const document: ProblemDocument = {
    type: problemType(problem.code),
    title: text.title,
    status: problem.status,
    detail: fill(text.detail, problem.options.params ?? {}),
    code: problem.code,
    instance,
  };
  if (problem.options.errors) {
    document.errors = problem.options.errors.map((error) => ({
      path: error.path,
      message: fill(validationMessages[error.rule][language], localized(error.params ?? {}, language)),
    }));
  }
  return document;
}

function problemType(code: ProblemCode): string {
  return `urn:ticketing:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

/** Parameters may themselves be texts in both languages (`{ ko, en }`). */
function localized(params: Readonly<Record<string, unknown>>, language: Language): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    result[name] =
      typeof value === 'object' && value !== null && language in value ? (value as Record<Language, unknown>)[language] : value;
  }
  return result;
}
