import type { ErrorCode } from '@ticketing/core';

/** Problem codes: the core's refusals plus what the HTTP transport itself can say. */
export type ProblemCode =
  | ErrorCode
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'AUTH_UNAVAILABLE'
  | 'INTERNAL_ERROR';

export type Language = 'ko' | 'en';

interface Text {
  title: string;
  /** May name `{placeholders}` filled from the problem's parameters. */
  detail: string;
}

/** Every problem a client can see, in both languages. Korean is the default. */
export const problemMessages: Record<ProblemCode, Record<Language, Text>> = {
  VALIDATION_FAILED: {
    ko: { title: '요청이 올바르지 않습니다', detail: '요청 값을 확인해 주세요. 잘못된 항목은 errors에 있습니다.' },
    en: { title: 'Invalid request', detail: 'Check the request; the invalid parts are listed in errors.' },
  },
  MEMBER_NOT_FOUND: {
    ko: { title: '회원을 찾을 수 없습니다', detail: '요청한 회원이 없습니다.' },
    en: { title: 'Member not found', detail: 'No such member exists.' },
  },
  MEMBER_NAME_TAKEN: {
    ko: { title: '이미 사용 중인 회원 이름입니다', detail: '같은 이름의 회원이 이미 있습니다. 다른 이름을 사용해 주세요.' },
    en: { title: 'Member name taken', detail: 'A member with this name already exists; choose another name.' },
  },
  TICKET_NOT_FOUND: {
    ko: { title: '티켓을 찾을 수 없습니다', detail: '요청한 티켓이 없습니다.' },
    en: { title: 'Ticket not found', detail: 'No such ticket exists.' },
  },
  TICKET_NAME_TAKEN: {
    ko: { title: '이미 사용 중인 티켓 이름입니다', detail: '같은 이름의 티켓이 이미 있습니다. 다른 이름을 사용해 주세요.' },
    en: { title: 'Ticket name taken', detail: 'A ticket with this name already exists; choose another name.' },
  },
  TICKET_HAS_ISSUES: {
    ko: { title: '발급 내역이 있는 티켓입니다', detail: '이미 발급된 티켓은 삭제할 수 없습니다.' },
    en: { title: 'Ticket has issues', detail: 'A ticket that has been issued to members cannot be deleted.' },
  },
  SOLD_OUT: {
    ko: { title: '매진되었습니다', detail: '남은 티켓이 없습니다. 먼저 접수된 요청들이 재고를 모두 차지했습니다.' },
    en: { title: 'Sold out', detail: 'No tickets are left: earlier requests have taken the whole stock.' },
  },
  NOT_OPEN: {
    ko: { title: '아직 발급 시작 전입니다', detail: '이 티켓은 아직 발급을 시작하지 않았습니다. 시작 시각 이후에 다시 요청해 주세요.' },
    en: { title: 'Not open yet', detail: 'Sales for this ticket have not opened yet; try again after its opening time.' },
  },
  CLOSED: {
    ko: { title: '발급이 마감되었습니다', detail: '이 티켓의 발급 기간이 끝났습니다.' },
    en: { title: 'Closed', detail: 'Sales for this ticket have closed.' },
  },
  ISSUE_REQUEST_NOT_FOUND: {
    ko: { title: '발급 요청을 찾을 수 없습니다', detail: '요청한 발급 요청이 없습니다.' },
    en: { title: 'Issue request not found', detail: 'No such issue request exists.' },
  },
  ISSUE_REQUEST_EXPIRED: {
    ko: {
      title: '발급 요청의 보관 기간이 지났습니다',
      detail: '이 티켓의 판매가 끝난 뒤 보관 기간이 지나 요청 결과가 지워졌습니다. 발급되지 않은 요청입니다.',
    },
    en: {
      title: 'Issue request expired',
      detail: "This ticket's sale ended and its requests' results were removed after the retention period; this request was not issued.",
    },
  },
  MEMBER_TICKET_NOT_FOUND: {
    ko: { title: '발급된 티켓이 없습니다', detail: '이 회원에게 발급된 해당 티켓이 없습니다.' },
    en: { title: 'Member ticket not found', detail: 'This member holds no such ticket.' },
  },
  ALREADY_USED: {
    ko: { title: '이미 사용한 티켓입니다', detail: '이 티켓은 이미 사용되었습니다.' },
    en: { title: 'Already used', detail: 'This ticket has already been used.' },
  },
  QUEUE_UNAVAILABLE: {
    ko: { title: '잠시 요청을 받을 수 없습니다', detail: '발급 대기열에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.' },
    en: { title: 'Queue unavailable', detail: 'The issue queue cannot be reached right now; retry shortly.' },
  },
  DATABASE_UNAVAILABLE: {
    ko: { title: '잠시 요청을 처리할 수 없습니다', detail: '데이터베이스에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.' },
    en: { title: 'Database unavailable', detail: 'The database cannot be reached right now; retry shortly.' },
  },
  PAYLOAD_TOO_LARGE: {
    ko: { title: '요청 본문이 너무 큽니다', detail: '요청 본문은 {limit}바이트를 넘을 수 없습니다.' },
    en: { title: 'Payload too large', detail: 'The request body must not exceed {limit} bytes.' },
  },
  UNSUPPORTED_MEDIA_TYPE: {
    ko: { title: '지원하지 않는 형식입니다', detail: '요청 본문은 application/json이어야 합니다.' },
    en: { title: 'Unsupported media type', detail: 'The request body must be application/json.' },
  },
  NOT_FOUND: {
    ko: { title: '경로를 찾을 수 없습니다', detail: '{path} 경로는 없습니다.' },
    en: { title: 'Not found', detail: 'There is nothing at {path}.' },
  },
  METHOD_NOT_ALLOWED: {
    ko: { title: '허용되지 않는 메서드입니다', detail: '이 경로는 {method} 요청을 받지 않습니다. 허용: {allow}.' },
    en: { title: 'Method not allowed', detail: 'This path does not accept {method}. Allowed: {allow}.' },
  },
  UNAUTHORIZED: {
    ko: {
      title: '인증이 필요합니다',
      detail: '유효한 인증 정보가 없습니다. API는 유효한 Bearer 토큰을, 관리 화면은 올바른 사용자 이름과 비밀번호를 보내 주세요.',
    },
    en: {
      title: 'Unauthorized',
      detail: 'No valid credentials: send a valid Bearer token to the API, or a valid user name and password to the console.',
    },
  },
  FORBIDDEN: {
    ko: { title: '권한이 없습니다', detail: '이 토큰으로는 이 요청을 할 수 없습니다. 회원은 자기 자신의 것만 요청할 수 있습니다.' },
    en: { title: 'Forbidden', detail: 'This token does not allow this request; a member may act only for itself.' },
  },
  RATE_LIMITED: {
    ko: { title: '요청이 너무 많습니다', detail: '허용된 요청 수를 넘었습니다. Retry-After 초 뒤에 다시 시도해 주세요.' },
    en: { title: 'Too many requests', detail: 'The request limit is used up; retry after Retry-After seconds.' },
  },
  AUTH_UNAVAILABLE: {
    ko: { title: '잠시 인증할 수 없습니다', detail: '토큰을 확인할 키를 가져올 수 없습니다. 잠시 후 다시 시도해 주세요.' },
    en: { title: 'Authentication unavailable', detail: 'The keys to check the token cannot be fetched right now; retry shortly.' },
  },
  INTERNAL_ERROR: {
    ko: { title: '서버 오류가 발생했습니다', detail: '요청을 처리하지 못했습니다. 잠시 후 다시 시도해 주세요.' },
    en: { title: 'Internal error', detail: 'The request could not be processed; try again later.' },
  },
};

/**
 * Why one field was refused. Custom rules carry their key in the zod issue's params; the rest are
 * named after zod's own issue codes.
 */
export type ValidationRule =
  | 'REQUIRED'
  | 'EXPECTED_TYPE'
  | 'UNKNOWN_FIELD'
  | 'MIN_LENGTH'
  | 'MAX_LENGTH'
  | 'MIN_VALUE'
  | 'MAX_VALUE'
  | 'NAME_CHARACTERS'
  | 'INTEGER'
  | 'INTEGER_TEXT'
  | 'DATE_TIME'
  | 'DATE_TIME_RANGE'
  | 'CLOSE_AFTER_OPEN'
  | 'NAME_OR_PAGE'
  | 'PAGE_RANGE'
  | 'REQUEST_BODY'
  | 'MALFORMED_JSON'
  | 'INVALID';

export const validationMessages: Record<ValidationRule, Record<Language, string>> = {
  REQUIRED: { ko: '필수 항목입니다.', en: 'Required.' },
  EXPECTED_TYPE: { ko: '{expected} 값이어야 합니다.', en: 'Must be {expected}.' },
  UNKNOWN_FIELD: { ko: '알 수 없는 항목입니다.', en: 'Unknown field.' },
  MIN_LENGTH: {
    ko: '앞뒤 공백을 빼고 {min}자 이상이어야 합니다.',
    en: 'Must have at least {min} characters, not counting surrounding spaces.',
  },
  MAX_LENGTH: { ko: '{max}자 이하여야 합니다.', en: 'Must have at most {max} characters.' },
  MIN_VALUE: { ko: '{min} 이상이어야 합니다.', en: 'Must be at least {min}.' },
  MAX_VALUE: { ko: '{max} 이하여야 합니다.', en: 'Must be at most {max}.' },
  NAME_CHARACTERS: { ko: '제어 문자나 깨진 문자를 포함할 수 없습니다.', en: 'Must not contain control characters or malformed text.' },
  INTEGER: { ko: '정수여야 합니다.', en: 'Must be an integer.' },
  INTEGER_TEXT: {
    ko: '{min} 이상 {max} 이하의 정수를 부호, 앞자리 0, 지수 없이 써야 합니다.',
    en: 'Must be an integer from {min} to {max}, written without sign, leading zeros or exponent.',
  },
  DATE_TIME: {
    ko: '시간대가 있는 ISO-8601 시각이어야 합니다 (예: 2025-01-01T10:00:00+09:00).',
    en: 'Must be an ISO-8601 date-time with an offset (e.g. 2025-01-01T10:00:00+09:00).',
  },
  DATE_TIME_RANGE: { ko: '1970년부터 9999년 사이의 시각이어야 합니다.', en: 'Must be between the years 1970 and 9999.' },
  CLOSE_AFTER_OPEN: { ko: 'closeAt은 openAt보다 뒤여야 합니다.', en: 'closeAt must be after openAt.' },
  NAME_OR_PAGE: { ko: 'name과 page/size는 함께 쓸 수 없습니다.', en: 'name cannot be combined with page or size.' },
  PAGE_RANGE: { ko: '요청한 페이지가 너무 뒤에 있습니다.', en: 'The requested page lies too far back.' },
  REQUEST_BODY: { ko: 'JSON 객체여야 합니다.', en: 'Must be a JSON object.' },
  MALFORMED_JSON: { ko: '올바른 JSON 객체가 아닙니다.', en: 'Is not a well-formed JSON object.' },
  INVALID: { ko: '올바르지 않은 값입니다.', en: 'Invalid value.' },
};

/** Names of JSON types as a client reads them in `EXPECTED_TYPE`. */
export const typeNames: Record<string, Record<Language, string>> = {
  string: { ko: '문자열', en: 'a string' },
  number: { ko: '숫자', en: 'a number' },
  int: { ko: '정수', en: 'an integer' },
  object: { ko: '객체', en: 'an object' },
  array: { ko: '배열', en: 'an array' },
  boolean: { ko: '참/거짓', en: 'a boolean' },
  null: { ko: 'null', en: 'null' },
};

export function fill(template: string, params: Readonly<Record<string, unknown>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
