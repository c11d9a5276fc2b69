/** Sections of an earlier run a results file carries because this run did not measure them. */
export interface Carried {
  /** The results file they come from, and that run's date. */
  from: string;
  date: string;
  scenarios: string[];
  /** Memory figures (by role) of that run: of processes this run did not start. */
  rssRoles: string[];
}

/** What carrying needs of a results file (report.ts's BenchResults; named apart so neither file imports the other). */
interface Results {
  date: string;
  quick: boolean;
  scenarios: Record<string, unknown>;
  rssMiB: Record<string, number>;
  carried?: Carried | undefined;
}

/**
 * `npm run bench -- --scenarios accept --keep <earlier results>`: the scenarios this run did not
 * measure, and the memory of roles it did not start, are taken from the earlier file and marked as
 * carried, so the document says which run every figure comes from. Rendering a results file
 * that itself carries sections keeps their original date.
 */
export function carryOver(results: Results, kept: Results, from: string, measured: readonly string[]): void {
  if (kept.quick !== results.quick)
    throw new Error(`${from} is ${kept.quick ? '' : 'not '}a quick run and this one is ${results.quick ? '' : 'not'}`);
  const scenarios: string[] = [];
  for (const [name, figures] of Object.entries(kept.scenarios)) {
    // acceptAuth and acceptTwoApis are measured by the accept scenario.
    const scenario = name === 'acceptAuth' || name === 'acceptTwoApis' ? 'accept' : name;
    if (measured.includes(scenario) || figures === undefined) continue;
    // One date per carried section: a section the kept file itself carried would be mislabelled.
    if (kept.carried?.scenarios.includes(name))
      throw new Error(`${from} carries ${name} from ${kept.carried.from}: keep that file instead`);
    results.scenarios[name] = figures;
    scenarios.push(name);
  }
  const rssRoles: string[] = [];
  for (const [role, mib] of Object.entries(kept.rssMiB)) {
    if (role in results.rssMiB || kept.carried?.rssRoles.includes(role)) continue;
    results.rssMiB[role] = mib;
    rssRoles.push(role);
  }
  if (scenarios.length > 0 || rssRoles.length > 0) results.carried = { from, date: kept.date, scenarios, rssRoles };
}

const HEADINGS: Record<string, string> = {
  ceiling: '## Ceilings of this machine',
  accept: '## Accept: ',
  acceptAuth: '## Accept with authentication',
  drain: '## Drain: ',
  baselines: '## Baselines: ',
  card: '## Card: ',
  profile: '## CPU profiles: ',
};

export const carriedLabel = (carried: Carried): string => `run of ${carried.date.slice(0, 10)}`;

/** A note under the heading of each carried section (lines as renderMarkdown builds them). */
export function markCarried(lines: string[], carried: Carried | undefined): void {
  if (!carried) return;
  for (const scenario of carried.scenarios) {
    const heading = HEADINGS[scenario];
    const at = heading === undefined ? -1 : lines.findIndex((line) => line.startsWith(heading));
    if (at < 0) continue;
    lines.splice(at + 1, 0, '', `_Carried over from the ${carriedLabel(carried)} (\`${carried.from}\`), not measured in this run._`);
  }
}

/** One sentence for the document's opening paragraph. */
export function carriedIntro(carried: Carried | undefined): string {
  if (!carried) return '';
  const roles = carried.rssRoles.length > 0 ? `, and the memory of ${carried.rssRoles.join(', ')},` : '';
  return ` **Not all of this run**: the sections ${carried.scenarios.join(', ')}${roles} are carried over from the ${carriedLabel(carried)} (\`${carried.from}\`) and say so.`;
}
