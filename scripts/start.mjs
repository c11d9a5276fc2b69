// `npm start`: everything a newcomer needs on a fresh clone, against the local MySQL/MariaDB and
// Redis: install when needed, build, migrate, then one API and one worker until Ctrl-C.
// `npm start -- --apis N --workers M` (or API_PROCESSES / WORKER_PROCESSES) runs more of each, to
// use every core of one machine: the API processes share the one port through node:cluster.
import { spawn, spawnSync } from 'node:child_process';
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const { values: options } = parseArgs({ options: { apis: { type: 'string' }, workers: { type: 'string' } } });
const apiProcesses = processCount('--apis', 'API_PROCESSES', options.apis ?? process.env.API_PROCESSES);
const workerProcesses = processCount('--workers', 'WORKER_PROCESSES', options.workers ?? process.env.WORKER_PROCESSES);

/** A count of processes from the command line or the environment: 1 when unset, else 1..64. */
function processCount(flag, variable, value) {
  if (value === undefined || value === '') return 1;
  if (!/^[1-9]\d*$/.test(value) || Number(value) > 64) {
    process.stderr.write(`✖ ${flag} / ${variable}: a whole number from 1 to 64, not "${value}"\n`);
    process.exit(1);
  }
  return Number(value);
}

function step(title, command, args) {
  process.stdout.write(`\n▶ ${title}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`✖ ${title} failed (exit ${result.status})\n`);
    process.exit(result.status ?? 1);
  }
}

const installed = existsSync(`${root}/node_modules/.package-lock.json`);
if (!installed || statSync(`${root}/package-lock.json`).mtimeMs > statSync(`${root}/node_modules/.package-lock.json`).mtimeMs) {
  step('npm ci', npm, ['ci', '--no-audit', '--no-fund']);
}
step('build', npm, ['run', 'build']);
step('migrate', npm, ['run', 'migrate']);

const env = { ...process.env };
if (!env.BOARD_PASSWORD) env.BOARD_PASSWORD = randomBytes(9).toString('base64url');
// Without AUTH_JWT_SECRET or AUTH_JWKS_URL the API would exit: use the development secret kept in
// .local/auth-secret. Imported only now, as it needs jose, which a fresh clone has only after `npm ci`.
const { developmentAuth, mintToken } = await import('./devAuth.mjs');
const auth = await developmentAuth(env).catch((error) => {
  process.stderr.write(`✖ ${error.message}\n`);
  process.exit(1);
});
const port = env.PORT ?? '3000';
const DEV_MEMBER_NAME = 'dev-member';
// Each API process listens on PORT; node:cluster hands this process's one listening socket to them
// in turn, so N processes serve one port without a proxy in front.
// Every process's heap is bounded (the Docker image and docker-compose set the same): WATCH_MAX
// bounds the API's held connections, and test/faults/heldPollsUnderHeapLimit.test.ts proves WATCH_MAX
// held polls plus a flood fit in it. Under 2 GiB V8 also grows the heap less between full
// collections, and the young generation is kept at Node 20's 3 x 16 MiB on newer Nodes (Node 24 would
// take up to 3 x 64 MiB): together they keep a loaded process near 200 MiB (docs/BENCHMARKS.md).
const nodeArgs = ['--max-old-space-size=1024', '--max-semi-space-size=16'];
cluster.setupPrimary({ exec: `${root}apps/api/dist/main.js`, args: [], execArgv: nodeArgs, cwd: root });
const children = [
  ...Array.from({ length: apiProcesses }, () => cluster.fork(env).process),
  ...Array.from({ length: workerProcesses }, () =>
    spawn(process.execPath, [...nodeArgs, 'apps/worker/dist/main.js'], { cwd: root, env, stdio: 'inherit' }),
  ),
];

const base = `http://localhost:${port}`;
process.stdout.write(
  [
    '',
    '──────────────────────────────────────────────',
    ` API          ${base}/api/v1`,
    ` API 문서     ${base}/docs`,
    ` Bull Board   ${base}/admin/queues  (${env.BOARD_USER ?? 'admin'} / ${env.BOARD_PASSWORD})`,
    ` 상태         ${base}/readyz   지표 ${base}/metrics`,
    ` 프로세스     API ${apiProcesses}개, 워커 ${workerProcesses}개  (--apis N --workers M)`,
    ...tokenLines(auth),
    ' 종료: Ctrl-C',
    '──────────────────────────────────────────────',
    '',
  ].join('\n'),
);

function tokenLines({ source, adminToken }) {
  if (source === 'AUTH_JWKS_URL') return [' 토큰         AUTH_JWKS_URL의 발급자가 서명한 토큰을 쓰세요'];
  const mint = ' 토큰 발급    npm run token -- --member <id>   (--role staff|admin, --ttl 2h)';
  if (!adminToken) return [`${mint}  AUTH_JWT_SECRET로 서명`];
  return [` 관리자 토큰  ${adminToken}`, '              (12시간 유효, 개발용 키: .local/auth-secret)', mint];
}

// The pages' one-click sign-in for development: a member `dev-member` (made on first start) and a
// link carrying its token in the fragment, which browsers never send to a server and the page
// clears from the address bar. The console gets the admin token the same way.
if (auth.adminToken) {
  pageLinks(`http://127.0.0.1:${port}`, auth.adminToken).then(
    (lines) => process.stdout.write(`${lines.join('\n')}\n`),
    (error) => process.stderr.write(`✖ 개발용 회원을 만들지 못했습니다: ${error.message}\n`),
  );
}

async function pageLinks(origin, adminToken) {
  const memberId = await developmentMember(origin, adminToken);
  const memberToken = await mintToken({ secret: env.AUTH_JWT_SECRET, memberId, env });
  return [
    ` 회원 페이지  ${origin}/#token=${memberToken}`,
    `              (개발용 회원 ${DEV_MEMBER_NAME}, id ${memberId})`,
    ` 실시간 콘솔  ${origin}/console#token=${adminToken}`,
    '',
  ];
}

/** The development member's id, made through the API (as an admin) when it is not there yet. */
async function developmentMember(origin, adminToken) {
  const headers = { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' };
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const found = await fetch(`${origin}/api/v1/members?name=${DEV_MEMBER_NAME}`, { headers });
      if (found.status === 200) return (await found.json()).id;
      if (found.status === 404) {
        const made = await fetch(`${origin}/api/v1/members`, { method: 'POST', headers, body: JSON.stringify({ name: DEV_MEMBER_NAME }) });
        if (made.status === 201) return (await made.json()).id;
        if (made.status !== 409) throw new Error(`POST /api/v1/members: ${made.status}`); // 409: made meanwhile, look again
      } else if (found.status < 500) throw new Error(`GET /api/v1/members: ${found.status}`);
    } catch (error) {
      // Not listening yet (the API is starting): ask again; any other failure is reported.
      if (error.cause?.code !== 'ECONNREFUSED') throw error;
    }
    if (Date.now() > deadline) throw new Error(`${origin} did not answer within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
let alive = children.length;
let worst = 0;
for (const child of children) {
  child.on('exit', (code) => {
    worst = Math.max(worst, code ?? 1);
    alive -= 1;
    if (!stopping) stop(); // one died: take the others down too, so the failure is visible
    if (alive === 0) process.exit(stopping && worst === 0 ? 0 : worst);
  });
}
