export { sourceOf } from './source.js';
export {
  createThrottle,
  type SignInOutcome,
  type SignInTicket,
  type Throttle,
  type ThrottleScope,
} from './throttle.js';
