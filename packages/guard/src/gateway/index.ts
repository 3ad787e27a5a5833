export type { GatewayArgs } from './cli.js';
export { GATEWAY_USAGE, parseGatewayArgs, runGateway } from './cli.js';
export type { Gateway, GatewayOptions, GatewayRequest } from './create-gateway.js';
export { createGateway } from './create-gateway.js';
export { headerValue, identityHeaders } from './identity-headers.js';
