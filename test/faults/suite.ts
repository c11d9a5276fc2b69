import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { prepareInfra, type FaultInfra, type InfraOptions, type PreparedInfra } from '../../scripts/faults/src/infra.js';
import type { ScenarioReport } from '../../scripts/faults/src/scenarios/stage.js';

/**
 * One fault scenario as one suite: its own database, Redis prefix and, where the fault stops
 * them, its own Redis or MariaDB. The scenario is the same code `npm run faults` runs.
 */
export function faultSuite(
  name: string,
  infraOptions: InfraOptions,
  scenario: (infra: FaultInfra) => Promise<ScenarioReport>,
  more: (report: ScenarioReport) => void = () => undefined,
): void {
  let prepared: PreparedInfra | undefined;
  beforeAll(async () => {
    prepared = await prepareInfra(infraOptions);
  }, 60_000);
  afterAll(async () => {
    await prepared?.close();
  }, 60_000);

  test(name, async () => {
    const report = await scenario(prepared!.infra);
    expectSurvived(report);
    more(report);
  }, 150_000);
}

/**
 * What every fault must leave behind. The violations come first: they say in words what broke,
 * with the processes' output attached, where a bare count would not.
 */
export function expectSurvived(report: ScenarioReport): void {
  const { counts } = report;
  if (report.violations.length > 0) {
    const facts = Object.entries(report.facts)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n');
    throw new Error(
      `${report.scenario}: ${report.violations.length} violations\n${report.violations.join('\n')}\n\n` +
        `counts: ${JSON.stringify(counts)}\n${facts}\n\n${report.diagnostics.slice(-8000)}`,
    );
  }
  expect({
    lost: counts.lost,
    duplicates: counts.duplicates,
    overIssue: counts.overIssue,
    fcfsViolations: counts.fcfsViolations,
    unacknowledged: counts.unacknowledged,
  }).toEqual({
    lost: 0,
    duplicates: 0,
    overIssue: 0,
    fcfsViolations: 0,
    unacknowledged: 0,
  });
  expect(counts.accepted).toBeGreaterThan(0);
  expect(counts.issued).toBeGreaterThan(0);
}
