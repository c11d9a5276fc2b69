import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { MAX_ID } from '../src/adapter/in/web/ids.js';
import { plainNewIssueRequest, plainTicketPath } from '../src/adapter/in/web/fastInput.js';
import { NewIssueRequestBody, TicketPath } from '../src/adapter/in/web/requestSchemas.js';

/**
 * The submission's input is recognised by hand before zod (Endpoint.fastInput): whatever the hand
 * check accepts, the schema must accept with the same result; what it refuses goes to the schema.
 */
const zodResult = (schema: typeof TicketPath | typeof NewIssueRequestBody, input: unknown) => {
  const parsed = schema.safeParse(input);
  return parsed.success ? parsed.data : null;
};

const id = fc.oneof(fc.integer({ min: 1, max: MAX_ID }), fc.constantFrom(1, MAX_ID));
const anyNumber = fc.oneof(id, fc.integer(), fc.double(), fc.constantFrom(0, -1, MAX_ID + 1, 2 ** 53, 1.5, Number.NaN, Infinity, -0));
const anyValue = fc.oneof(
  anyNumber,
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.integer(), { maxLength: 2 }),
);
const idText = fc.oneof(
  id.map(String),
  fc.string(),
  anyNumber.map(String),
  fc.constantFrom('01', '1e3', ' 1', '1 ', '+1', '0x10', '2147483648', ''),
);

describe('the submission’s hand-checked input', () => {
  test('a ticket path it accepts is one TicketPath accepts, with the same value', () => {
    const params = fc.oneof(
      idText.map((ticketId) => ({ ticketId })),
      fc.dictionary(fc.constantFrom('ticketId', 'memberId', 'x', '__proto__'), fc.oneof(idText, anyValue)),
    );
    fc.assert(
      fc.property(params, (input) => {
        const fast = plainTicketPath(input);
        if (fast !== null) expect(fast).toEqual(zodResult(TicketPath, input));
      }),
      { numRuns: 3000 },
    );
  });

  test('a body it accepts is one NewIssueRequestBody accepts, with the same value', () => {
    const bodies = fc.oneof(
      anyValue.map((memberId) => ({ memberId })),
      id.map((memberId) => ({ memberId })),
      fc.dictionary(fc.constantFrom('memberId', 'ticketId', 'extra', '__proto__', 'constructor'), anyValue),
      anyValue,
      fc.json().map((text) => JSON.parse(text) as unknown),
    );
    fc.assert(
      fc.property(bodies, (input) => {
        const fast = plainNewIssueRequest(input);
        if (fast !== null) expect(fast).toEqual(zodResult(NewIssueRequestBody, input));
      }),
      { numRuns: 3000 },
    );
  });

  test('the usual input is recognised; anything unusual is left to the schemas', () => {
    expect(plainTicketPath({ ticketId: '42' })).toEqual({ ticketId: 42 });
    expect(plainNewIssueRequest(JSON.parse('{"memberId":7}'))).toEqual({ memberId: 7 });
    for (const params of [
      { ticketId: '042' },
      { ticketId: '0' },
      { ticketId: String(MAX_ID + 1) },
      { ticketId: '1', extra: '2' },
      {},
      null,
    ]) {
      expect(plainTicketPath(params)).toBeNull();
    }
    for (const body of [
      { memberId: '7' },
      { memberId: 7.5 },
      { memberId: 0 },
      { memberId: 7, extra: 1 },
      JSON.parse('{"__proto__":{"memberId":7}}'),
      Object.create({ memberId: 7 }),
      [7],
      null,
      undefined,
    ]) {
      expect(plainNewIssueRequest(body)).toBeNull();
    }
    // `{}`: the token's own member (the schema gives the same).
    expect(plainNewIssueRequest({})).toEqual({});
    expect(plainNewIssueRequest(Object.create(null))).toBeNull();
  });
});
