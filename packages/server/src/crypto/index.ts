export { safeEqual, sha256Base64, sha256Hex } from './digest.js';
export { randomId, randomToken } from './random.js';
export { createSealer, type Sealer, sealedLength } from './seal.js';
