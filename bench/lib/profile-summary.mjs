// Prints where the time goes in a V8 .cpuprofile (from node --cpu-prof): the functions with the most
// self time, then (with a filter) the inclusive time of every frame whose location matches it.
// Usage: node bench/lib/profile-summary.mjs file.cpuprofile [top=25] [filter, e.g. packages/server]
import { readFileSync } from 'node:fs';

const [file, top = '25', filter] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (node) => {
  const cf = node.callFrame;
  const where = cf.url
    ? `${cf.url.replace(/^.*\/(packages|node_modules)\//, '$1/')}:${cf.lineNumber + 1}`
    : '';
  return `${cf.functionName || '(anonymous)'} ${where}`;
};
const self = new Map();
const inclusive = new Map();
const dt = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++) {
  const node = byId.get(prof.samples[i]);
  self.set(label(node), (self.get(label(node)) ?? 0) + (dt[i] ?? 0));
  if (!filter) continue;
  const seen = new Set();
  for (let id = node.id; id !== undefined; id = parent.get(id)) {
    const l = label(byId.get(id));
    if (l.includes(filter) && !seen.has(l)) {
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + (dt[i] ?? 0));
    }
  }
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const print = (map) => {
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
    console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
  }
};
console.log('self time:');
print(self);
if (filter) {
  console.log(`\ninclusive time of frames in ${filter}:`);
  print(inclusive);
}
