#!/usr/bin/env node
// Committed launcher for the `keycard` bin. npm links bins at install time, before `prepare` has built
// dist/, and skips a bin whose file is missing; this file always exists, so the link is always made.
import('../dist/bin.js').catch((err) => {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/bin.js')) {
    process.stderr.write(
      'keycard is not built yet: run `npm run build` (or `npx tsc -b`) in the repository root.\n',
    );
    process.exitCode = 2;
    return;
  }
  throw err;
});
