#!/usr/bin/env node
/** The `keycard` executable: runs main with the real process and sets the exit code. */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
