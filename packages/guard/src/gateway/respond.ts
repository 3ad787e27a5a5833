import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { GuardErrorCode } from '../errors.js';
import { GuardError } from '../errors.js';
import { errorResponse } from '../http/error-response.js';

/** Answers an error on a response that has not started; otherwise cuts the connection (the only honest signal). */
export function sendGuardError(res: ServerResponse, error: GuardError, realm: string, close = false): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const { status, headers, body } = errorResponse(error, realm);
  if (close) headers['connection'] = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

export function sendGatewayError(res: ServerResponse, code: GuardErrorCode, close = false): void {
  sendGuardError(res, new GuardError(code), 'keycard', close);
}

/** Raw answer for parser-level errors (no request object exists yet), then the socket is closed. */
export function answerClientError(socket: Socket, code: GuardErrorCode): void {
  const error = new GuardError(code);
  const body = JSON.stringify(error.toJSON());
  const reason = { 400: 'Bad Request', 413: 'Payload Too Large', 431: 'Request Header Fields Too Large' }[
    error.status as 400 | 413 | 431
  ];
  socket.end(
    `HTTP/1.1 ${error.status} ${reason ?? 'Bad Request'}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
