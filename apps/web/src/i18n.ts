// Korean by default (the service's users), English on a switch; the choice is kept per browser.
export type Lang = 'ko' | 'en';

const MESSAGES = {
  ko: {
    'member.title': '선착순 티켓',
    'console.title': '실시간 콘솔',
    'lang.switch': 'English',
    'lang.switchLabel': 'Switch to English',
    'token.legend': '회원 토큰',
    'token.staffLegend': '스태프·관리자 토큰',
    'token.label': 'Bearer 토큰 (회원 시스템에서 받은 JWT)',
    'token.save': '저장',
    'token.forget': '지우기',
    'token.none': '토큰이 없습니다. 토큰을 붙여 넣으세요.',
    'token.as': '{who}(으)로 요청합니다',
    'role.member': '회원 {sub}',
    'role.staff': '스태프',
    'role.admin': '관리자',
    'token.expired': '토큰이 만료되었습니다',
    'tickets.heading': '열려 있거나 곧 열리는 티켓',
    'tickets.empty': '지금 신청할 수 있는 티켓이 없습니다',
    'tickets.loading': '불러오는 중…',
    'tickets.reload': '새로 고침',
    'tickets.remaining': '남은 수량 {remaining} / {total}',
    'tickets.opensAt': '{time} 오픈',
    'tickets.closesAt': '{time} 마감',
    'tickets.ask': '신청',
    'tickets.askLabel': '{name} 신청',
    'status.OPEN': '판매 중',
    'status.SCHEDULED': '오픈 예정',
    'status.SOLD_OUT': '매진',
    'status.CLOSED': '마감',
    'watch.heading': '대기 상황',
    'watch.sent': '신청을 보내는 중…',
    'watch.ahead': '앞에 {n}명',
    'watch.waiting': '순서를 기다리는 중',
    'watch.eta': '예상 대기 {eta}',
    'watch.etaUnknown': '예상 대기 시간 계산 중',
    'watch.via.stream': '실시간 연결',
    'watch.via.poll': '주기적 확인 (실시간 연결 불가)',
    'result.ISSUED': '발급되었습니다. 발급 번호 {n}번',
    'result.SOLD_OUT': '매진되어 발급되지 않았습니다',
    'result.CLOSED': '판매가 마감되어 발급되지 않았습니다',
    'result.FAILED': '처리하지 못했습니다 ({reason})',
    'result.REJECTED': '발급되지 않았습니다 ({reason})',
    'error.UNAUTHORIZED': '토큰이 올바르지 않거나 만료되었습니다',
    'error.FORBIDDEN': '이 토큰으로는 할 수 없습니다',
    'error.NOT_OPEN': '아직 열리지 않았습니다',
    'error.RATE_LIMITED': '요청이 너무 많습니다. {s}초 뒤에 다시 시도하세요',
    'error.network': '서버에 연결할 수 없습니다',
    'error.other': '오류: {detail}',
    'duration.s': '약 {s}초',
    'duration.ms': '약 {m}분 {s}초',
    'console.ticket': '티켓',
    'console.choose': '티켓을 고르세요',
    'console.links': '운영 도구',
    'console.board': 'Bull Board (큐)',
    'console.docs': 'API 문서',
    'console.memberPage': '회원 페이지',
    'chart.time': '시각',
    'console.live': '실시간 연결됨',
    'console.connecting': '연결하는 중…',
    'console.retrying': '연결이 끊겼습니다. 다시 연결하는 중…',
    'console.refused': '연결이 거부되었습니다 ({status})',
    'console.counters': '현재 값',
    'console.rates': '초당 접수 / 처리',
    'console.waitingChart': '대기열',
    'console.stockChart': '남은 재고',
    'console.outcomesChart': '결과 (누적)',
    'stat.accepted': '접수',
    'stat.decided': '처리',
    'stat.issued': '발급',
    'stat.rejected': '거절',
    'stat.failed': '실패',
    'stat.waiting': '대기',
    'stat.remainingQuantity': '남은 재고',
    'stat.acceptedPerSecond': '초당 접수',
    'stat.decidedPerSecond': '초당 처리',
  },
  en: {
    'member.title': 'First-come tickets',
    'console.title': 'Live console',
    'lang.switch': '한국어',
    'lang.switchLabel': '한국어로 보기',
    'token.legend': 'Member token',
    'token.staffLegend': 'Staff or admin token',
    'token.label': 'Bearer token (the JWT from the member system)',
    'token.save': 'Save',
    'token.forget': 'Forget',
    'token.none': 'No token yet: paste one.',
    'token.as': 'Acting as {who}',
    'role.member': 'member {sub}',
    'role.staff': 'staff',
    'role.admin': 'admin',
    'token.expired': 'The token has expired',
    'tickets.heading': 'Open and upcoming tickets',
    'tickets.empty': 'No ticket to ask for right now',
    'tickets.loading': 'Loading…',
    'tickets.reload': 'Reload',
    'tickets.remaining': '{remaining} of {total} left',
    'tickets.opensAt': 'opens {time}',
    'tickets.closesAt': 'closes {time}',
    'tickets.ask': 'Ask',
    'tickets.askLabel': 'Ask for {name}',
    'status.OPEN': 'on sale',
    'status.SCHEDULED': 'upcoming',
    'status.SOLD_OUT': 'sold out',
    'status.CLOSED': 'closed',
    'watch.heading': 'Your place in line',
    'watch.sent': 'Sending your request…',
    'watch.ahead': '{n} ahead of you',
    'watch.waiting': 'Waiting for your turn',
    'watch.eta': 'estimated wait {eta}',
    'watch.etaUnknown': 'estimating the wait',
    'watch.via.stream': 'live',
    'watch.via.poll': 'checking periodically (live updates unavailable)',
    'result.ISSUED': 'Issued: number {n}',
    'result.SOLD_OUT': 'Sold out: not issued',
    'result.CLOSED': 'The sale closed: not issued',
    'result.FAILED': 'Could not be processed ({reason})',
    'result.REJECTED': 'Not issued ({reason})',
    'error.UNAUTHORIZED': 'The token is invalid or expired',
    'error.FORBIDDEN': 'This token may not do that',
    'error.NOT_OPEN': 'Not open yet',
    'error.RATE_LIMITED': 'Too many requests: try again in {s} s',
    'error.network': 'Cannot reach the server',
    'error.other': 'Error: {detail}',
    'duration.s': 'about {s} s',
    'duration.ms': 'about {m} min {s} s',
    'console.ticket': 'Ticket',
    'console.choose': 'Choose a ticket',
    'console.links': 'Operations',
    'console.board': 'Bull Board (queues)',
    'console.docs': 'API docs',
    'console.memberPage': 'Member page',
    'chart.time': 'time',
    'console.live': 'live',
    'console.connecting': 'connecting…',
    'console.retrying': 'connection lost, reconnecting…',
    'console.refused': 'refused ({status})',
    'console.counters': 'Now',
    'console.rates': 'Accepted / decided per second',
    'console.waitingChart': 'Waiting line',
    'console.stockChart': 'Remaining stock',
    'console.outcomesChart': 'Outcomes (total)',
    'stat.accepted': 'accepted',
    'stat.decided': 'decided',
    'stat.issued': 'issued',
    'stat.rejected': 'rejected',
    'stat.failed': 'failed',
    'stat.waiting': 'waiting',
    'stat.remainingQuantity': 'remaining',
    'stat.acceptedPerSecond': 'accepted/s',
    'stat.decidedPerSecond': 'decided/s',
  },
} as const;

export type MessageKey = keyof (typeof MESSAGES)['ko'];

const LANG_KEY = 'ticketing.lang';
let lang: Lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'ko';
const listeners: Array<() => void> = [];

export function currentLang(): Lang {
  return lang;
}

/** The message in the current language with `{name}` placeholders filled. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return MESSAGES[lang][key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/** A key that came from the server (a status or a reason) when we have a message for it. */
export function hasMessage(key: string): key is MessageKey {
  return key in MESSAGES.ko;
}

export function toggleLang(): void {
  lang = lang === 'ko' ? 'en' : 'ko';
  localStorage.setItem(LANG_KEY, lang);
  for (const listener of listeners) listener();
}

/** Runs `render` now and after every switch; also fills every `[data-i18n]` element. */
export function onLang(render: () => void): void {
  const all = () => {
    document.documentElement.lang = lang;
    for (const element of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
      const key = element.dataset.i18n!;
      if (hasMessage(key)) element.textContent = t(key);
    }
    render();
  };
  listeners.push(all);
  all();
}

export function formatDuration(ms: number): string {
  const total = Math.max(1, Math.round(ms / 1000));
  return total < 60 ? t('duration.s', { s: total }) : t('duration.ms', { m: Math.floor(total / 60), s: total % 60 });
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}
