// The live console (`/console`, staff or admin): one ticket's drop as it happens, from
// GET /api/v1/tickets/{id}/events (`stats` once a second).
import './style.css';
import { allTickets, headersFor, type Ticket } from './api.js';
import { readEventStream, StreamFailed } from './eventStream.js';
import { type MessageKey, onLang, t, toggleLang } from './i18n.js';
import { StatsChart } from './statsChart.js';
import { tokenForm } from './tokenForm.js';

const TOKEN_KEY = 'ticketing.staffToken';
/** After a break the stream is reopened this long after; the server gives the current state at once. */
const REOPEN_AFTER_MS = 2_000;

interface Stats {
  accepted: number;
  decided: number;
  issued: number;
  rejected: number;
  failed: number;
  waiting: number;
  remainingQuantity: number;
  acceptedPerSecond: number;
  decidedPerSecond: number;
}
const STAT_NAMES: Array<keyof Stats> = [
  'accepted',
  'decided',
  'issued',
  'rejected',
  'failed',
  'waiting',
  'remainingQuantity',
  'acceptedPerSecond',
  'decidedPerSecond',
];

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const select = byId<HTMLSelectElement>('ticket');
const connection = byId<HTMLParagraphElement>('connection');
const counters = byId<HTMLDListElement>('counters');
const langButton = byId<HTMLButtonElement>('lang');

const charts: Array<{ chart: StatsChart; caption: MessageKey; series: Array<keyof Stats> }> = [
  { caption: 'console.rates', series: ['acceptedPerSecond', 'decidedPerSecond'] },
  { caption: 'console.waitingChart', series: ['waiting'] },
  { caption: 'console.stockChart', series: ['remainingQuantity'] },
  { caption: 'console.outcomesChart', series: ['issued', 'rejected', 'failed'] },
].map(({ caption, series }) => {
  const colors = ['#0b5cad', '#1a7f37', '#b42318'];
  const chart = new StatsChart(
    t(caption as MessageKey),
    t('chart.time'),
    series.map((name, index) => ({ label: t(`stat.${name}` as MessageKey), stroke: colors[index]! })),
  );
  byId('charts').append(chart.figure);
  return { chart, caption: caption as MessageKey, series: series as Array<keyof Stats> };
});

let tickets: Ticket[] = [];
let latest: Stats | null = null;
let connectionKey: MessageKey = 'console.choose';
let refusedStatus = 0;
let streaming: AbortController | null = null;

const token = tokenForm(byId<HTMLFormElement>('token'), TOKEN_KEY, () => follow());
langButton.addEventListener('click', toggleLang);
select.addEventListener('change', () => {
  const url = new URL(location.href);
  url.searchParams.set('ticket', select.value);
  history.replaceState(null, '', url);
  follow();
});

/** Opens the selected ticket's stats stream, closing the one before; reopens it after breaks. */
function follow(): void {
  streaming?.abort();
  latest = null;
  for (const { chart } of charts) chart.clear();
  const ticketId = Number(select.value);
  const bearer = token();
  if (!ticketId || !bearer) {
    setConnection('console.choose');
    return;
  }
  const controller = new AbortController();
  streaming = controller;
  void (async () => {
    while (!controller.signal.aborted) {
      setConnection('console.connecting');
      try {
        await readEventStream(
          `/api/v1/tickets/${ticketId}/events`,
          headersFor(bearer),
          (event) => {
            if (event.event !== 'stats') return;
            setConnection('console.live');
            show(JSON.parse(event.data) as Stats);
          },
          controller.signal,
        );
      } catch (error) {
        if (controller.signal.aborted) return;
        if (error instanceof StreamFailed && error.status !== null && error.status < 500 && error.status !== 429) {
          refusedStatus = error.status;
          setConnection('console.refused'); // a wrong token or ticket: retrying changes nothing
          return;
        }
      }
      setConnection('console.retrying');
      await new Promise((resolve) => setTimeout(resolve, REOPEN_AFTER_MS));
    }
  })();
}

function show(stats: Stats): void {
  latest = stats;
  const now = Date.now();
  for (const { chart, series } of charts)
    chart.add(
      now,
      series.map((name) => stats[name]),
    );
  renderCounters();
}

function setConnection(key: MessageKey): void {
  connectionKey = key;
  connection.textContent = t(key, { status: refusedStatus });
  connection.dataset.state = key.replace('console.', '');
}

function renderCounters(): void {
  counters.replaceChildren(
    ...STAT_NAMES.map((name) => {
      const entry = document.createElement('div');
      const term = document.createElement('dt');
      term.textContent = t(`stat.${name}`);
      const value = document.createElement('dd');
      value.dataset.stat = name;
      value.textContent = latest === null ? '–' : formatStat(latest[name]);
      entry.append(term, value);
      return entry;
    }),
  );
}

function formatStat(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString() : value.toFixed(1);
}

function renderTicketChoice(): void {
  const chosen = select.value || new URLSearchParams(location.search).get('ticket') || '';
  const placeholder = new Option(t('console.choose'), '');
  placeholder.disabled = true;
  select.replaceChildren(
    placeholder,
    ...tickets.map((ticket) => new Option(`#${ticket.id} ${ticket.name} (${t(`status.${ticket.status}`)})`, String(ticket.id))),
  );
  select.value = tickets.some((ticket) => String(ticket.id) === chosen) ? chosen : '';
}

onLang(() => {
  langButton.textContent = t('lang.switch');
  langButton.setAttribute('aria-label', t('lang.switchLabel'));
  langButton.lang = t('lang.switch') === 'English' ? 'en' : 'ko';
  byId('links').setAttribute('aria-label', t('console.links'));
  for (const { chart, caption, series } of charts)
    chart.setLabels(t(caption), [t('chart.time'), ...series.map((name) => t(`stat.${name}`))]);
  renderTicketChoice();
  renderCounters();
  setConnection(connectionKey);
});

void allTickets()
  .then((list) => {
    tickets = list.reverse(); // newest first: the drop one is watching is usually the latest
    renderTicketChoice();
    follow();
  })
  .catch(() => {
    connection.textContent = t('error.network');
  });
