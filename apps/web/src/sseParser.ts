/** One Server-Sent Event: its `event:` name (`message` when absent), its data lines joined by "\n", its `id:`. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * The text/event-stream parser of the HTML standard (§9.2.6), fed chunks as they arrive.
 * EventSource would do this for us, but it cannot send an Authorization header, and the streams
 * need the member's token: the page reads them with fetch and parses them here. Handles CRLF, CR
 * and LF line ends (also split across chunks), comments (heartbeats), multi-line data, and a field
 * without a colon; an event is dispatched only at its blank line, and one without data is dropped.
 */
export class SseParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  #hasData = false;
  #id: string | undefined;
  /** The last chunk ended with CR: an LF opening the next one belongs to that line end. */
  #pendingCr = false;

  /** Parses `chunk`; the events completed by it, in order. */
  feed(chunk: string): SseEvent[] {
    let text = chunk;
    if (this.#pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.#pendingCr = false;
    this.#buffer += text;
    const events: SseEvent[] = [];
    for (;;) {
      const end = this.#buffer.search(/[\r\n]/);
      if (end === -1) break;
      const line = this.#buffer.slice(0, end);
      let next = end + 1;
      if (this.#buffer[end] === '\r') {
        if (end + 1 === this.#buffer.length) this.#pendingCr = true;
        else if (this.#buffer[end + 1] === '\n') next = end + 2;
      }
      this.#buffer = this.#buffer.slice(next);
      const event = this.#line(line);
      if (event) events.push(event);
    }
    return events;
  }

  #line(line: string): SseEvent | null {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return null; // a comment: the server's heartbeat
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#event = value;
    else if (field === 'data') {
      this.#data.push(value);
      this.#hasData = true;
    } else if (field === 'id' && !value.includes('\0')) this.#id = value;
    return null; // `retry` and unknown fields: the page decides its own reconnection
  }

  #dispatch(): SseEvent | null {
    const event = this.#hasData ? { event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id } : null;
    this.#event = '';
    this.#data = [];
    this.#hasData = false;
    return event;
  }
}
