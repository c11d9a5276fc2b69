import { readFileSync } from 'node:fs';

/** The parts of V8's `.cpuprofile` (what `node --cpu-prof` writes) that a summary needs. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

export interface FrameShare {
  /** Function name, `(garbage collector)`, `(idle)`, or a native binding such as `writev`. */
  frame: string;
  /** file:line, relative to the repository or to its package in node_modules; empty for natives. */
  where: string;
  /** Where the frame's code comes from: a package, a workspace, a node core area, or a V8 state. */
  place: string;
  selfPercent: number;
}

export interface PlaceShare {
  place: string;
  selfPercent: number;
}

export interface ProfileSummary {
  sampledMs: number;
  /** The costliest frames by self time, highest first. */
  frames: FrameShare[];
  /** Self time added up by place, highest first. */
  places: PlaceShare[];
  /** Self time of every place, added up into the few layers the report talks about. */
  layers: Record<Layer, number>;
}

/** Coarse layers of a process's time, for the report's prose. */
export type Layer = 'idle' | 'gc' | 'httpAndExpress' | 'redisAndBullmq' | 'prismaAndDriver' | 'workspace' | 'other';

const LAYER_OF: Array<[RegExp, Layer]> = [
  [/^\(idle\)$/, 'idle'],
  [/^\(garbage collector\)$/, 'gc'],
  [
    /^(node:(http|net|stream|streams|events|stream_base|buffer|url|timers|async|process)|native bindings|express|router|body-parser|raw-body|type-is|content-type|media-typer|mime-types|mime-db|iconv-lite|on-finished|finalhandler|parseurl|path-to-regexp|send|accepts|negotiator|vary|statuses|depd|http-errors|qs|helmet)$/,
    'httpAndExpress',
  ],
  [/^(ioredis|bullmq|msgpackr|@ioredis\/.*|cluster-key-slot|denque|redis-errors|redis-parser|standard-as-callback)$/, 'redisAndBullmq'],
  [/^(@prisma\/.*|mariadb|WebAssembly)$/, 'prismaAndDriver'],
  [/^(apps|packages)\//, 'workspace'],
];

function layerOf(place: string): Layer {
  for (const [pattern, layer] of LAYER_OF) if (pattern.test(place)) return layer;
  return 'other';
}

export interface SummaryOptions {
  /** Samples of the first this many ms (the process's start-up) are left out. */
  skipMs?: number;
  topFrames?: number;
  topPlaces?: number;
}

/**
 * Self time by frame and by place. A sample's time is the gap to the next sample (what Chrome
 * DevTools shows as self time); frames of one function at one line are one row.
 */
export function summariseProfile(
  path: string,
  repoRoot: string,
  { skipMs = 0, topFrames = 20, topPlaces = 15 }: SummaryOptions = {},
): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byNode = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const frameTime = new Map<string, { frame: string; where: string; place: string; us: number }>();
  let total = 0;
  let elapsedUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    elapsedUs += profile.timeDeltas[i] ?? 0;
    if (elapsedUs < skipMs * 1000) continue;
    const us = profile.timeDeltas[i + 1] ?? 0;
    const callFrame = byNode.get(profile.samples[i]!);
    if (!callFrame || callFrame.functionName === '(root)') continue;
    total += us;
    const where = callFrame.url ? `${shortUrl(callFrame.url, repoRoot)}:${callFrame.lineNumber + 1}` : '';
    const key = `${callFrame.functionName}\u0000${where}`;
    const entry = frameTime.get(key) ?? {
      frame: callFrame.functionName || '(anonymous)',
      where,
      place: placeOf(callFrame.url, callFrame.functionName, repoRoot),
      us: 0,
    };
    entry.us += us;
    frameTime.set(key, entry);
  }
  const percent = (us: number) => (total === 0 ? 0 : Math.round((us / total) * 1000) / 10);
  const frames = [...frameTime.values()].sort((a, b) => b.us - a.us);
  const placeTime = new Map<string, number>();
  for (const { place, us } of frames) placeTime.set(place, (placeTime.get(place) ?? 0) + us);
  const layers: Record<Layer, number> = {
    idle: 0,
    gc: 0,
    httpAndExpress: 0,
    redisAndBullmq: 0,
    prismaAndDriver: 0,
    workspace: 0,
    other: 0,
  };
  for (const [place, us] of placeTime) layers[layerOf(place)] += us;
  for (const layer of Object.keys(layers) as Layer[]) layers[layer] = percent(layers[layer]);
  return {
    sampledMs: Math.round(total / 1000),
    layers,
    frames: frames.slice(0, topFrames).map(({ frame, where, place, us }) => ({ frame, where, place, selfPercent: percent(us) })),
    places: [...placeTime.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topPlaces)
      .map(([place, us]) => ({ place, selfPercent: percent(us) })),
  };
}

function shortUrl(url: string, repoRoot: string): string {
  const path = url.replace(/^file:\/\//, '');
  const packaged = /.*\/node_modules\/(.+)$/.exec(path);
  if (packaged) return packaged[1]!;
  return path.startsWith(repoRoot) ? path.slice(repoRoot.length) : path;
}

/**
 * `(idle)`, `(garbage collector)` and `(program)` are V8's own states; a frame without a URL is a
 * native binding (socket writes show up as `writev`, `writeBuffer`, …); the rest is named by npm
 * package, workspace (`packages/queue`, `apps/api`) or node core area (`node:http`, `node:streams`).
 */
export function placeOf(url: string, functionName: string, repoRoot: string): string {
  if (!url) return /^\(.*\)$/.test(functionName) ? functionName : 'native bindings';
  if (url.startsWith('node:')) {
    const area = url
      .slice('node:'.length)
      .replace(/^internal\//, '')
      .split('/')[0]!;
    return `node:${area.replace(/^_/, '').split('_')[0]}`;
  }
  // Prisma's query compiler is WebAssembly.
  if (url.startsWith('wasm://')) return 'WebAssembly';
  const path = url.replace(/^file:\/\//, '');
  const packaged = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (packaged) return packaged[1]!;
  const workspace = path.startsWith(repoRoot) ? /^(apps|packages|scripts)\/([^/]+)/.exec(path.slice(repoRoot.length)) : null;
  return workspace ? `${workspace[1]}/${workspace[2]}` : 'other';
}
