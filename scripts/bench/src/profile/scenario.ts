import { mkdirSync, rmSync } from 'node:fs';
import { accept, type AcceptResult } from '../accept.js';
import { variantSetup } from '../auth/variants.js';
import type { BenchContext } from '../context.js';
import { drain, type DrainResult } from '../drain.js';
import { REPO_ROOT } from '@ticketing/testkit';
import { summariseProfile, type ProfileSummary } from './summarise.js';

export interface ProfileResult {
  /** Where the raw profiles were left (open them in Chrome DevTools); not committed. */
  directory: string;
  accept: { run: AcceptResult; api: ProfileSummary };
  drain: { run: DrainResult; worker: ProfileSummary };
}

export interface ProfileSizes {
  accept: number;
  hotQueued: number;
  hotStock: number;
}

/** Node options that make a process write its CPU profile when it exits. */
function cpuProfArgs(directory: string, name: string): string[] {
  return ['--cpu-prof', `--cpu-prof-dir=${directory}`, `--cpu-prof-name=${name}`];
}

/**
 * One extra pass of the accept scenario with the API under `--cpu-prof`, and one of the hot-ticket
 * drain with the worker under it. Their figures are not the scenarios' medians (sampling costs a
 * little), and their processes' memory is reported under roles of their own.
 */
export async function profile(ctx: BenchContext, sizes: ProfileSizes, day: string): Promise<ProfileResult> {
  const directory = `bench/profiles/${day}`;
  const absolute = `${REPO_ROOT}${directory}`;
  mkdirSync(absolute, { recursive: true });
  const apiFile = 'api-accept.cpuprofile';
  const workerFile = 'worker-drain.cpuprofile';
  for (const file of [apiFile, workerFile]) rmSync(`${absolute}/${file}`, { force: true });

  // Start-up (loading modules) is left out of the summaries: the profiles begin with the process,
  // and its samples are left out up to the moment it was ready.
  let apiStartupMs = 0;
  let workerStartupMs = 0;
  // The profile is written when the process exits, which each scenario does before returning.
  // The API as deployed, as the accept figures' own: tokens verified, limits at their defaults.
  const acceptRun = await accept(ctx, sizes.accept, {
    ...variantSetup('on').process,
    role: 'api --cpu-prof',
    nodeArgs: cpuProfArgs(absolute, apiFile),
    onStarted: (api) => (apiStartupMs = api.readyAfterMs),
  });
  const drainRun = await drain(
    ctx,
    { tickets: 1, queuedPerTicket: sizes.hotQueued, stockPerTicket: sizes.hotStock, workers: 1 },
    {
      role: 'worker --cpu-prof',
      nodeArgs: cpuProfArgs(absolute, workerFile),
      onStarted: (worker) => (workerStartupMs = worker.readyAfterMs),
    },
  );
  return {
    directory,
    accept: { run: acceptRun, api: summariseProfile(`${absolute}/${apiFile}`, REPO_ROOT, { skipMs: apiStartupMs }) },
    drain: { run: drainRun, worker: summariseProfile(`${absolute}/${workerFile}`, REPO_ROOT, { skipMs: workerStartupMs }) },
  };
}
