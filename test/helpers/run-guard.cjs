// Loaded by mocha before any test (.mocharc.json). Marks this run in the environment that every process a test
// starts inherits, so that an interrupted run (a timeout, SIGTERM, Ctrl-C) stops them all, and so that
// scripts/test-cleanup.sh can find what a run killed with SIGKILL left behind.
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const run = process.env.PYRO_TEST_RUN || String(process.pid);
process.env.PYRO_TEST_RUN = run;
const script = path.join(__dirname, '..', '..', 'scripts', 'test-cleanup.sh');

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping what this test run started (scripts/test-cleanup.sh ${run})\n`);
    try {
      execFileSync('bash', [script, run], { stdio: 'inherit', timeout: 60_000 });
    } finally {
      process.exit(code);
    }
  });
}
