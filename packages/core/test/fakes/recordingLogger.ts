import type { Logger } from '../../src/index.js';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/**
 * A logger that keeps its lines: the fields an operator reads in production (ticketId, the token,
 * the batch size, the error) are behaviour the tests can hold.
 */
export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];

  debug(fields: object, message: string): void {
    this.entries.push({ level: 'debug', fields: { ...fields }, message });
  }

  info(fields: object, message: string): void {
    this.entries.push({ level: 'info', fields: { ...fields }, message });
  }

  warn(fields: object, message: string): void {
    this.entries.push({ level: 'warn', fields: { ...fields }, message });
  }

  error(fields: object, message: string): void {
    this.entries.push({ level: 'error', fields: { ...fields }, message });
  }

  /** The entries with this message. */
  lines(message: string): LogEntry[] {
    return this.entries.filter((entry) => entry.message === message);
  }
}
