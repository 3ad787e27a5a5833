export { createThrottle, type Throttle, type ThrottleScope } from './throttle.js';
