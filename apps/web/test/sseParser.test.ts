import { describe, expect, test } from '@jest/globals';
import { SseParser, type SseEvent } from '../src/sseParser.js';

function parseAll(chunks: string[]): SseEvent[] {
  const parser = new SseParser();
  return chunks.flatMap((chunk) => parser.feed(chunk));
}

describe('SseParser', () => {
  test('named events with JSON data, as the position stream sends them', () => {
    const events = parseAll(['event: position\ndata: {"position":3}\n\nevent: decision\ndata: {"status":"ISSUED"}\n\n']);
    expect(events).toEqual([
      { event: 'position', data: '{"position":3}', id: undefined },
      { event: 'decision', data: '{"status":"ISSUED"}', id: undefined },
    ]);
  });

  test('an event split anywhere across chunks, one character at a time, comes out whole and once', () => {
    const text = 'event: stats\ndata: {"accepted":10}\n\n';
    expect(parseAll([...text])).toEqual([{ event: 'stats', data: '{"accepted":10}', id: undefined }]);
  });

  test('nothing is dispatched before the blank line that ends an event', () => {
    const parser = new SseParser();
    expect(parser.feed('event: position\ndata: {"position":1}\n')).toEqual([]);
    expect(parser.feed('\n')).toEqual([{ event: 'position', data: '{"position":1}', id: undefined }]);
  });

  test('CRLF and lone CR line ends, also a CRLF split between two chunks', () => {
    expect(parseAll(['data: a\r\n\r\ndata: b\r\rdata: c\r', '\n\r', '\n'])).toEqual([
      { event: 'message', data: 'a', id: undefined },
      { event: 'message', data: 'b', id: undefined },
      { event: 'message', data: 'c', id: undefined },
    ]);
  });

  test('comments (heartbeats) and events without data dispatch nothing', () => {
    expect(parseAll([': keep-alive\n\n', 'event: position\n\n', ':\n'])).toEqual([]);
  });

  test('several data lines join with a newline; one leading space is dropped, more are kept', () => {
    expect(parseAll(['data:one\ndata:  two\ndata\n\n'])).toEqual([{ event: 'message', data: 'one\n two\n', id: undefined }]);
  });

  test('the last event id is kept for later events; unknown fields and retry are ignored', () => {
    expect(parseAll(['id: 7\nretry: 1000\nfoo: bar\ndata: x\n\ndata: y\n\n'])).toEqual([
      { event: 'message', data: 'x', id: '7' },
      { event: 'message', data: 'y', id: '7' },
    ]);
  });

  test('the event name does not leak into the next event', () => {
    expect(parseAll(['event: stats\ndata: 1\n\ndata: 2\n\n']).map((e) => e.event)).toEqual(['stats', 'message']);
  });

  test('an unfinished event at the end of the stream is not dispatched', () => {
    expect(parseAll(['data: complete\n\n', 'data: cut off'])).toEqual([{ event: 'message', data: 'complete', id: undefined }]);
  });
});
