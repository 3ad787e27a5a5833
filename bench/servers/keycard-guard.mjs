// Wires @keycard/guard (built dist/) into each framework for the HTTP benches; reports why it
// cannot when the guard has not landed yet.
export async function loadGuard() {
  try {
    const core = await import('@keycard/guard');
    if (typeof core.createGuard !== 'function')
      return { ok: false, error: '@keycard/guard has no createGuard yet' };
    return { ok: false, error: 'keycard guard adapters not wired into the bench yet' };
  } catch (err) {
    return { ok: false, error: `@keycard/guard cannot be imported: ${err.message}` };
  }
}
