#!/usr/bin/env node
// `node demo/dist/main.js [options]`: the same as `keycard demo`.
import { runHotel } from './hotel/run-hotel.js';

process.exitCode = await runHotel(process.argv.slice(2));
