// Run by lazy-drivers.test.ts as a fresh `node` process: imports the built @keycard/server,
// then uses one feature at a time, and prints which drivers were loaded after each step as one
// JSON line. Two independent witnesses: the CommonJS module cache (the drivers are CommonJS, and
// Node caches a CommonJS module there whether require() or import loaded it) and a module.register
// resolve hook (every ESM resolution, e.g. pg's ESM entry).
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';

const DRIVERS = ['pg', 'better-sqlite3', 'ioredis', 'argon2'];
const HOOKS = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}`;

const { port1, port2 } = new MessageChannel();
const resolved = [];
port1.on('message', (url) => resolved.push(url));
register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, {
  data: { port: port2 },
  transferList: [port2],
});
const require = createRequire(import.meta.url);

/** Waits until the hook thread has reported everything resolved so far (messages stay in order). */
async function settled() {
  const marker = `data:text/javascript,export default ${Math.random()}`;
  await import(marker);
  while (!resolved.includes(marker)) await new Promise((r) => setImmediate(r));
}

async function loaded() {
  await settled();
  const inPath = (p) => DRIVERS.filter((d) => p.includes(`/node_modules/${d}/`));
  return [...new Set([...Object.keys(require.cache).flatMap(inPath), ...resolved.flatMap(inPath)])].sort();
}

const report = {};
const dist = process.argv[2];
const server = await import(pathToFileURL(`${dist}/index.js`).href);
report.import = await loaded();
const storage = await server.createSqliteStorage({ file: ':memory:' });
await storage.close();
report.sqlite = await loaded();
const { createPasswordHasher } = await import(pathToFileURL(`${dist}/passwords/hasher.js`).href);
report.hasher = await loaded();
await createPasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }).hash('x');
report.argon2 = await loaded();
process.stdout.write(`${JSON.stringify(report)}\n`);
port1.close();
