/** One dispatched Server-Sent Event. */
export interface SseEvent {
  /** `event:` field, 'message' when absent. */
  type: string;
  data: string;
  /** The last event id seen so far (persists across events, per the spec). */
  lastEventId: string;
}

/**
 * Incremental Server-Sent Events parser (WHATWG HTML "event stream interpretation"). Feed it decoded
 * text in chunks of any size: a line ending, even a CR/LF pair, may be split across chunks.
 *
 * @example
 * const parser = new SseParser((event) => console.log(event.type, event.data));
 * parser.push('id: 1\nevent: revocation\ndata: {"a":1}\n\n');
 */
export class SseParser {
  #buffer = '';
  #data: string[] = [];
  #type = '';
  #lastEventId = '';
  #pendingCR = false;
  #first = true;
  /** Last `retry:` value in ms, if the server sent one. */
  retryMs: number | undefined;

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly onComment?: (text: string) => void,
  ) {}

  get lastEventId(): string {
    return this.#lastEventId;
  }

  push(chunk: string): void {
    if (this.#first && chunk.length > 0) {
      this.#first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    let start = 0;
    if (this.#pendingCR) {
      this.#pendingCR = false;
      if (chunk.charCodeAt(0) === 10) start = 1;
    }
    let i = start;
    while (i < chunk.length) {
      const c = chunk.charCodeAt(i);
      if (c === 10 || c === 13) {
        this.#line(this.#buffer + chunk.slice(start, i));
        this.#buffer = '';
        if (c === 13) {
          if (i + 1 === chunk.length) this.#pendingCR = true;
          else if (chunk.charCodeAt(i + 1) === 10) i++;
        }
        start = i + 1;
      }
      i++;
    }
    if (start < chunk.length) this.#buffer += chunk.slice(start);
  }

  #line(line: string): void {
    if (line === '') {
      this.#dispatch();
      return;
    }
    if (line.charCodeAt(0) === 58) {
      this.onComment?.(line.slice(1).trimStart());
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'data':
        this.#data.push(value);
        break;
      case 'event':
        this.#type = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.#lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
    }
  }

  #dispatch(): void {
    const data = this.#data;
    const type = this.#type;
    this.#data = [];
    this.#type = '';
    // The spec drops events without data; keycard's `event: reset` may carry none, so a typed event
    // without data is still dispatched.
    if (data.length === 0 && type === '') return;
    this.onEvent({
      type: type === '' ? 'message' : type,
      data: data.join('\n'),
      lastEventId: this.#lastEventId,
    });
  }
}
