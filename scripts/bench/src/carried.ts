/** Sections of an earlier run a results file carries because this run did not measure them. */
export interface Carried {
  /** The results file they come from, and that run's date. */
  from: string;
  date: string;
  scenarios: string[];
  /** Memory figures (by role) of that run: of processes this run did not start. */
  rssRoles: string[];
}

/**
 * A results file's carried sections: one origin, or several when the kept file itself carried some
 * (each section keeps the run it was measured in). Files written before that hold one object.
 */
export type CarriedOrigins = Carried | Carried[];

/** Every origin of a file's carried sections. */
export function originsOf(carried: CarriedOrigins | undefined): Carried[] {
  if (carried === undefined) return [];
  return Array.isArray(carried) ? carried : [carried];
}

/** What carrying needs of a results file (report.ts's BenchResults; named apart so neither file imports the other). */
interface Results {
  date: string;
  quick: boolean;
  scenarios: Record<string, unknown>;
  rssMiB: Record<string, number>;
  carried?: CarriedOrigins | undefined;
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
  const keptOrigins = originsOf(kept.carried);
  const origins = new Map<string, Carried>();
  // A section the kept file itself carried keeps the run it came from, so no section is mislabelled.
  const originOf = (earlier: Carried | undefined): Carried => {
    const key = earlier?.from ?? from;
    let origin = origins.get(key);
    if (!origin) {
      origin = { from: key, date: earlier?.date ?? kept.date, scenarios: [], rssRoles: [] };
      origins.set(key, origin);
    }
    return origin;
  };
  for (const [name, figures] of Object.entries(kept.scenarios)) {
    // acceptAuth and acceptTwoApis are measured by the accept scenario.
    const scenario = name === 'acceptAuth' || name === 'acceptTwoApis' ? 'accept' : name;
    if (measured.includes(scenario) || figures === undefined) continue;
    results.scenarios[name] = figures;
    originOf(keptOrigins.find((o) => o.scenarios.includes(name))).scenarios.push(name);
  }
  for (const [role, mib] of Object.entries(kept.rssMiB)) {
    if (role in results.rssMiB) continue;
    results.rssMiB[role] = mib;
    originOf(keptOrigins.find((o) => o.rssRoles.includes(role))).rssRoles.push(role);
  }
  const all = [...origins.values()];
  if (all.length > 0) results.carried = all.length === 1 ? all[0]! : all;
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

/** The label of a memory figure carried from an earlier run, or null when this run measured it. */
export function carriedRoleLabel(carried: CarriedOrigins | undefined, role: string): string | null {
  const origin = originsOf(carried).find((o) => o.rssRoles.includes(role));
  return origin ? carriedLabel(origin) : null;
}

/** A note under the heading of each carried section (lines as renderMarkdown builds them). */
export function markCarried(lines: string[], carried: CarriedOrigins | undefined): void {
  for (const origin of originsOf(carried)) {
    for (const scenario of origin.scenarios) {
      const heading = HEADINGS[scenario];
      const at = heading === undefined ? -1 : lines.findIndex((line) => line.startsWith(heading));
      if (at < 0) continue;
      lines.splice(at + 1, 0, '', `_Carried over from the ${carriedLabel(origin)} (\`${origin.from}\`), not measured in this run._`);
    }
  }
}

/** One sentence for the document's opening paragraph. */
export function carriedIntro(carried: CarriedOrigins | undefined): string {
  const origins = originsOf(carried);
  if (origins.length === 0) return '';
  const parts = origins.map((origin) => {
    const what = [
      ...(origin.scenarios.length > 0 ? [`the sections ${origin.scenarios.join(', ')}`] : []),
      ...(origin.rssRoles.length > 0 ? [`the memory of ${origin.rssRoles.map((role) => `"${role}"`).join(', ')}`] : []),
    ];
    return `from the ${carriedLabel(origin)} (\`${origin.from}\`), ${what.join(' and ')}`;
  });
  return ` **Not all of this run**; carried over, and marked so where they stand: ${parts.join('; ')}.`;
}
