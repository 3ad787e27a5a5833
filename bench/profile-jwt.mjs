// Runs ONE jwt.mjs subject in a loop, for profiling: where does its time go?
// Usage: node --cpu-prof --cpu-prof-dir=bench/out/prof bench/profile-jwt.mjs [alg] [op] [lib] [seconds]
//   e.g. node --cpu-prof --cpu-prof-dir=bench/out/prof bench/profile-jwt.mjs HS256 verify keycard 5
//   then: node bench/lib/profile-summary.mjs bench/out/prof/<file>.cpuprofile
import { benchClaims, loadKeycard, makeKeys, rawSubjects, subjectsFor } from './lib/jwt-subjects.mjs';

const [alg = 'HS256', op = 'verify', lib = 'keycard', seconds = '5'] = process.argv.slice(2);
const kc = await loadKeycard();
if (kc.error) throw new Error(kc.error);
const claims = benchClaims();
const k = await makeKeys(alg);
const token = rawSubjects(k).sign(claims);
const subject = subjectsFor(k, token, claims, kc.mod).find((s) => s.lib === lib && s.op === op);
if (!subject) throw new Error(`no subject ${lib} ${op} for ${alg}`);
const end = Date.now() + Number(seconds) * 1000;
let n = 0;
let sink;
while (Date.now() < end) {
  for (let i = 0; i < 1000; i++) sink = subject.async ? await subject.fn() : subject.fn();
  n += 1000;
}
console.log(`${lib} ${alg} ${op}: ${Math.round(n / Number(seconds))} ops/s (${typeof sink})`);
