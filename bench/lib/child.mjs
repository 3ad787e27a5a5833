// Helper for the server child processes (kept apart from lib/http.mjs so children do not load autocannon).

/**
 * For child scripts: reads the config from argv, exits when the parent disconnects and after
 * `limitMs` in any case, and reports readiness (or the start-up error) to the parent.
 */
export function childMain(start, limitMs = 15 * 60_000) {
  const config = JSON.parse(process.argv[2] ?? '{}');
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  setTimeout(() => process.exit(3), limitMs).unref();
  Promise.resolve()
    .then(() => start(config))
    .then(
      (info) => process.send?.({ type: 'ready', ...info }),
      (err) => {
        process.send?.({ type: 'error', error: String(err?.stack ?? err) });
        process.exit(1);
      },
    );
}
