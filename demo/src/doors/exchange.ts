/**
 * The rooms door's confidential client at the front desk, used to exchange a guest's card for a
 * card for another door (RFC 8693 token exchange), so the rooms service can call billing on the
 * guest's behalf. The secret comes from the environment (the demo makes it at start-up) and is
 * never logged. With `dpop: true` the exchanged card is bound to a key this process holds in
 * memory, so it too is useless in anyone else's hands.
 */
import { createServiceClient, type ServiceClient } from '@keycard/guard';

/**
 * The client from ROOMS_SERVICE_ID / ROOMS_SERVICE_SECRET; undefined when the door runs without them.
 *
 * @example
 * const client = roomsServiceClient(env.issuer);
 * const billing = await client?.exchange(req.auth.token, { audience: 'billing', scope: 'billing:charge' });
 */
export function roomsServiceClient(issuer: string): ServiceClient | undefined {
  const clientId = process.env.ROOMS_SERVICE_ID;
  const clientSecret = process.env.ROOMS_SERVICE_SECRET;
  if (!clientId || !clientSecret) return undefined;
  return createServiceClient({ issuer, clientId, clientSecret, dpop: true });
}
