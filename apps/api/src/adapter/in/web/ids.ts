import { z } from 'zod';
import './zodOpenApi.js';

/** Ids are MySQL INT columns: positive and at most 2^31 - 1. */
export const MAX_ID = 2_147_483_647;

/** Request ids the queue hands out are far shorter; a longer one cannot exist. */
export const MAX_REQUEST_ID_LENGTH = 64;

// One spelling per number: no sign, no leading zero, no exponent, no spaces.
const CANONICAL_INTEGER = /^(0|[1-9][0-9]{0,9})$/;

/** The integer `text` spells canonically, or null. */
export function canonicalInteger(text: string, min: number, max: number): number | null {
  if (!CANONICAL_INTEGER.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

/**
 * An integer carried as text (a path segment or a query parameter), documented as an integer.
 * `01`, `1e3`, `-1`, `1.0` and out-of-range values are refused before anything reads a store.
 */
export function integerText(min: number, max: number, description: string) {
  return z
    .string()
    .refine((text) => canonicalInteger(text, min, max) !== null, { params: { rule: 'INTEGER_TEXT', min, max } })
    .transform(Number)
    .openapi({ type: 'integer', minimum: min, maximum: max, description });
}

export const idParam = (description: string) => integerText(1, MAX_ID, description).openapi({ example: 1 });

/** An id inside a JSON body: a JSON number, never a string. */
export const idField = (description: string) => z.int().min(1).max(MAX_ID).openapi({ description, example: 1 });
