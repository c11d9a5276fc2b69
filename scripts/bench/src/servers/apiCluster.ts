// N API processes sharing one port through node:cluster, as `npm start -- --apis N` runs them:
// the accept scenario at 2 API processes. Run with the API's environment and API_PROCESSES=N;
// prints "api cluster ready" once every process listens, and stops them all on SIGTERM.
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';

const count = Number(process.env.API_PROCESSES ?? 2);
let listening = 0;
let exited = 0;
let stopping = false;

cluster.setupPrimary({ exec: fileURLToPath(new URL('../../../../apps/api/dist/main.js', import.meta.url)), args: [] });
cluster.on('listening', () => {
  listening += 1;
  if (listening === count) process.stdout.write('api cluster ready\n');
});
cluster.on('exit', (worker, code, signal) => {
  if (!stopping) {
    process.stderr.write(`api process ${worker.process.pid} exited (${signal ?? code}) on its own\n`);
    process.exit(1);
  }
  exited += 1;
  if (exited === count) process.exit(0);
});
process.on('SIGTERM', () => {
  stopping = true;
  for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
});
for (let n = 0; n < count; n += 1) cluster.fork();
