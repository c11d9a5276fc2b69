import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';

const ARCH = { x64: 'x64', arm64: 'arm64' };

/**
 * A Node that StrykerJS 10 runs on (22 or later): this one if it is, else Node 24 from the npm
 * registry in the cache folder .ci/run uses for its Node 24 run (NODE24_CACHE), installed there
 * the same way when missing. Stryker is a development tool; the service itself keeps Node 20.19+.
 */
export function strykerNode() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  const arch = ARCH[process.arch];
  if (process.platform !== 'linux' || !arch)
    throw new Error(`StrykerJS needs Node 22 or later; install it for ${process.platform}-${process.arch}`);
  const cache = process.env.NODE24_CACHE ?? join(homedir(), '.cache', 'ticketing-node24');
  const node = join(cache, 'node_modules', `node-linux-${arch}`, 'bin', 'node');
  if (!isNode24(node)) {
    console.log(`StrykerJS needs Node 22 or later: installing node-linux-${arch}@24 into ${cache}`);
    execFileSync(
      'npm',
      ['install', '--prefix', cache, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', `node-linux-${arch}@24`],
      {
        stdio: 'inherit',
      },
    );
    if (!isNode24(node)) throw new Error(`no Node 24 at ${node} after installing it`);
  }
  return node;
}

function isNode24(node) {
  try {
    return execFileSync(node, ['--version'], { encoding: 'utf8' }).startsWith('v24.');
  } catch {
    return false;
  }
}
