// Small statistics helpers shared by every bench file.

/** Median of a list of numbers (NaN for an empty list). */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of a list of numbers. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Relative spread of a list (max-min over median), to flag noisy rounds in the output. */
export function spread(values) {
  const m = median(values);
  if (!m) return 0;
  return (Math.max(...values) - Math.min(...values)) / m;
}

/** Formats ops/s or req/s for a table: 12.3k, 1.23M, 845. */
export function fmtRate(n) {
  if (!Number.isFinite(n)) return 'n/a';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(2)}k`;
  return n.toFixed(0);
}

/** Formats a ratio as 1.23×, or n/a. */
export function fmtRatio(r) {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a';
}

/** Formats milliseconds: 0.42 ms, 12.3 ms, 1234 ms. */
export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(0)} ms`;
}

/** A ratio cell that is marked when it misses its target: `0.85× ❌ (<0.9)`. */
export function targetCell(ratio, target) {
  if (!Number.isFinite(ratio)) return 'n/a';
  const ok = ratio >= target;
  // Near the line, two decimals could print "1.00× ❌": show a third.
  const shown = Math.abs(ratio - target) < 0.01 ? `${ratio.toFixed(3)}×` : fmtRatio(ratio);
  return `${shown} ${ok ? '✅' : `❌ (<${target})`}`;
}

/**
 * Median of per-round ratios a[i] / b[i]. Subjects of one round run next to each other, so pairing
 * them cancels most of the drift in machine load that hits a shared box between rounds.
 */
export function pairedRatio(a, b) {
  if (!a?.length || !b?.length) return Number.NaN;
  const n = Math.min(a.length, b.length);
  const ratios = [];
  for (let i = 0; i < n; i++) ratios.push(a[i] / b[i]);
  return median(ratios);
}

/** Formats microseconds: 83 µs, 1.2 ms. */
export function fmtUs(us) {
  if (!Number.isFinite(us)) return 'n/a';
  return us < 1000 ? `${us.toFixed(0)} µs` : `${(us / 1000).toFixed(2)} ms`;
}
