// The member page (`/`): the tickets one can still get, a button to ask, the place in line while
// waiting, then the answer.
import './style.css';
import { ApiError, ask, type IssueRequest, openAndUpcomingTickets, type Ticket } from './api.js';
import { formatDuration, formatTime, hasMessage, onLang, t, toggleLang } from './i18n.js';
import { tokenForm } from './tokenForm.js';
import { WaitEstimator } from './waitEstimate.js';
import { type WatchUpdate, watchRequest } from './watchRequest.js';

const TOKEN_KEY = 'ticketing.memberToken';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const list = byId<HTMLUListElement>('tickets');
const note = byId<HTMLParagraphElement>('tickets-note');
const watch = byId<HTMLElement>('watch');
const positionText = byId<HTMLParagraphElement>('position');
const etaText = byId<HTMLParagraphElement>('eta');
const viaText = byId<HTMLParagraphElement>('via');
const resultText = byId<HTMLParagraphElement>('result');
const watchTicket = byId<HTMLParagraphElement>('watch-ticket');

/** What the page shows; every render reads it, so a language switch redraws everything. */
const state: {
  tickets: Ticket[] | null;
  ticketsError: ApiError | null;
  asking: Ticket | null;
  update: WatchUpdate | null;
  estimator: WaitEstimator;
  outcome: IssueRequest | ApiError | null;
} = { tickets: null, ticketsError: null, asking: null, update: null, estimator: new WaitEstimator(), outcome: null };
let watching: AbortController | null = null;

const token = tokenForm(byId<HTMLFormElement>('token'), TOKEN_KEY, () => render());

const langButton = byId<HTMLButtonElement>('lang');
langButton.addEventListener('click', toggleLang);
byId<HTMLButtonElement>('reload').addEventListener('click', () => void loadTickets());

async function loadTickets(): Promise<void> {
  state.tickets = null;
  render();
  try {
    state.tickets = await openAndUpcomingTickets();
    state.ticketsError = null;
  } catch (error) {
    state.tickets = [];
    state.ticketsError = error instanceof ApiError ? error : new ApiError(0, 'NETWORK', String(error));
  }
  render();
}

async function askFor(ticket: Ticket): Promise<void> {
  const bearer = token();
  if (!bearer) {
    byId<HTMLInputElement>('token-input').focus();
    return;
  }
  watching?.abort();
  const controller = new AbortController();
  watching = controller;
  Object.assign(state, { asking: ticket, update: null, estimator: new WaitEstimator(), outcome: null });
  render();
  watch.focus();
  try {
    let request = await ask(ticket.id, bearer);
    if (request.status === 'PENDING') {
      if (typeof request.position === 'number')
        onUpdate({ position: request.position, estimatedWaitMs: request.estimatedWaitMs ?? null, via: 'poll' });
      request = await watchRequest(request, bearer, onUpdate, controller.signal);
    }
    if (watching === controller) state.outcome = request;
  } catch (error) {
    if (controller.signal.aborted) return;
    state.outcome = error instanceof ApiError ? error : new ApiError(0, 'NETWORK', String(error));
  }
  render();
  void loadTickets(); // the stock it shows has changed
}

function onUpdate(update: WatchUpdate): void {
  if (update.position !== null) state.estimator.add(performance.now(), update.position);
  state.update = update;
  renderWatch();
}

function render(): void {
  langButton.textContent = t('lang.switch');
  langButton.setAttribute('aria-label', t('lang.switchLabel'));
  langButton.lang = t('lang.switch') === 'English' ? 'en' : 'ko';
  renderTickets();
  renderWatch();
}

function renderTickets(): void {
  if (state.tickets === null) {
    note.textContent = t('tickets.loading');
    return;
  }
  if (state.ticketsError) note.textContent = errorText(state.ticketsError);
  else note.textContent = state.tickets.length === 0 ? t('tickets.empty') : '';
  list.replaceChildren(...state.tickets.map(ticketItem));
}

function ticketItem(ticket: Ticket): HTMLLIElement {
  const item = document.createElement('li');
  item.className = 'ticket';
  item.dataset.ticketId = String(ticket.id);
  const name = element('h3', ticket.name);
  const status = element('span', t(`status.${ticket.status}`), `badge ${ticket.status.toLowerCase()}`);
  const details = element('p', t('tickets.remaining', { remaining: ticket.remainingQuantity, total: ticket.totalQuantity }), 'muted');
  const when = element(
    'p',
    ticket.status === 'SCHEDULED'
      ? t('tickets.opensAt', { time: formatTime(ticket.openAt) })
      : ticket.closeAt
        ? t('tickets.closesAt', { time: formatTime(ticket.closeAt) })
        : '',
    'muted small',
  );
  const button = element('button', t('tickets.ask'));
  button.type = 'button';
  button.setAttribute('aria-label', t('tickets.askLabel', { name: ticket.name }));
  button.disabled = ticket.status !== 'OPEN';
  button.addEventListener('click', () => void askFor(ticket));
  item.append(name, status, details, when, button);
  return item;
}

function renderWatch(): void {
  watch.hidden = state.asking === null;
  if (!state.asking) return;
  watchTicket.textContent = state.asking.name;
  const { update, outcome } = state;
  const position = update?.position ?? null;
  const pending = outcome === null;
  positionText.hidden = !pending;
  etaText.hidden = !pending;
  viaText.hidden = !pending || update === null;
  if (position === null) positionText.removeAttribute('data-position');
  else positionText.dataset.position = String(position);
  positionText.textContent =
    update === null ? t('watch.sent') : position === null ? t('watch.waiting') : t('watch.ahead', { n: position.toLocaleString() });
  const eta = update?.estimatedWaitMs ?? state.estimator.estimateMs();
  etaText.textContent = update === null ? '' : eta === null ? t('watch.etaUnknown') : t('watch.eta', { eta: formatDuration(eta) });
  viaText.textContent = update ? t(`watch.via.${update.via}`) : '';
  viaText.dataset.via = update?.via ?? '';
  resultText.textContent = outcome === null ? '' : outcome instanceof ApiError ? errorText(outcome) : resultOf(outcome);
  resultText.dataset.status = outcome === null ? '' : outcome instanceof ApiError ? outcome.code : outcome.status;
  if (outcome !== null && !(outcome instanceof ApiError) && outcome.issueNumber !== null)
    resultText.dataset.issueNumber = String(outcome.issueNumber);
  else resultText.removeAttribute('data-issue-number');
}

function resultOf(request: IssueRequest): string {
  if (request.status === 'ISSUED') return t('result.ISSUED', { n: request.issueNumber ?? '?' });
  if (request.status === 'REJECTED' && (request.reason === 'SOLD_OUT' || request.reason === 'CLOSED')) return t(`result.${request.reason}`);
  return t(request.status === 'FAILED' ? 'result.FAILED' : 'result.REJECTED', { reason: request.reason ?? '?' });
}

function errorText(error: ApiError): string {
  if (error.code === 'NETWORK') return t('error.network');
  if (error.code === 'RATE_LIMITED') return t('error.RATE_LIMITED', { s: error.retryAfterS ?? 1 });
  // 409 SOLD_OUT / CLOSED known at once read as the decision would.
  if (error.code === 'SOLD_OUT' || error.code === 'CLOSED') return t(`result.${error.code}`);
  const key = `error.${error.code}`;
  return hasMessage(key) ? t(key) : t('error.other', { detail: error.detail });
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text: string, className = ''): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
}

onLang(render);
void loadTickets();
