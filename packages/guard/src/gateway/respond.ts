import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Guard } from '../core/create-guard.js';
import type { GuardErrorCode } from '../errors.js';
import { GuardError } from '../errors.js';
import { refusal } from '../http/refusal.js';

/**
 * Answers an error on a response that has not started; otherwise cuts the connection (the only honest
 * signal). With the guard, its realm and its `DPoP algs` challenge are used.
 */
export function sendGuardError(
  res: ServerResponse,
  error: GuardError,
  guard: Guard | undefined,
  close = false,
): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const { status, headers, body } = refusal(guard, error);
  if (close) headers['connection'] = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

export function sendGatewayError(res: ServerResponse, code: GuardErrorCode, close = false): void {
  sendGuardError(res, new GuardError(code), undefined, close);
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
