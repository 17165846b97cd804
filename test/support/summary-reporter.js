// Prints one plain closing line (`tests: N passed, N failed, N skipped`) that any CI can read.
// Written when the process exits, so it comes after Jest's own summary.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line =
      `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed` +
      `, ${results.numPendingTests + results.numTodoTests} skipped`;
    process.once('exit', () => process.stderr.write(`\n${line}\n`));
  }
}

module.exports = SummaryReporter;
