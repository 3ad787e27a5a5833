export type { GatewayArgs, GatewayFlagValues, RunningGateway } from './cli.js';
export { GATEWAY_USAGE, gatewayArgsFromValues, parseGatewayArgs, runGateway, startGateway } from './cli.js';
export type { Gateway, GatewayOptions, GatewayRequest } from './create-gateway.js';
export { createGateway } from './create-gateway.js';
export { headerValue, identityHeaders } from './identity-headers.js';
export type { GatewayRoute } from './routes.js';
