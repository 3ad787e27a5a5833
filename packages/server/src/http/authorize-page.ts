import type { FastifyReply } from 'fastify';
import { type ServerPageText, sendServerPage } from './server-page.js';

// The authorization endpoint's former names for the one server page (./server-page.ts), until its
// route imports sendServerPage itself.

/** @deprecated Use {@link ServerPageText}. */
export type AuthorizePageText = ServerPageText;

/** @deprecated Use {@link sendServerPage}: `sendServerPage(reply, status, text)`. */
export function sendAuthorizePage(reply: FastifyReply, text: ServerPageText, status = 400): FastifyReply {
  return sendServerPage(reply, status, text);
}
