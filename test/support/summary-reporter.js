// Ends every Jest run with the one line CI reads: "N passed, M failed". A suite that could not
// run at all (a syntax error, a failing beforeAll with no test) counts as a failure.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const broken = results.testResults.filter((suite) => suite.testExecError && suite.numFailingTests === 0).length;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests + broken} failed`;
    process.stdout.write(`\n${skipped > 0 ? `${line}, ${skipped} skipped` : line}\n`);
  }
}
