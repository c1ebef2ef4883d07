// Mocha's spec reporter plus the one summary line every runner of this project ends with.
const Mocha = require('mocha');
const { Spec } = Mocha.reporters;
class SpecWithSummary extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once('end', () => {
      const s = runner.stats || { passes: 0, failures: 0 };
      console.log(`${s.passes} passed, ${s.failures} failed`);
    });
  }
}
module.exports = SpecWithSummary;
