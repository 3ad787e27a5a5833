export { sourceOf } from './source.js';
export { createThrottle, type SignInAdmission, type Throttle, type ThrottleScope } from './throttle.js';
