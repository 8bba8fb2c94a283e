import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalHost } from '../../../src/hosts/local-host.js';
import { accessLogLine } from '../../../src/produce/access-log.js';
import { clfTime } from '../../../src/util/clf-time.js';
import { appendAccessLog } from '../../../src/produce/to-file.js';
import { ROOT } from '../../helpers/cli.js';

// The combined log format as the sample job's regex reads it (jobs/pyro_job.py, COMBINED, which jobs/page_views.py uses): client, user, time,
// request target; then the status.
const JOB_REGEX = (() => {
  const src = readFileSync(path.join(ROOT, 'jobs', 'pyro_job.py'), 'utf8');
  return new RegExp(/^COMBINED = r'(.*)'$/m.exec(src)![1]!);
})();

describe('pyro produce --to-file: access-log lines', () => {
  it('writes the combined log format, which the sample job parses into page, user and time', () => {
    const ms = Date.UTC(2026, 11, 4, 20, 30, 51, 123);
    for (let n = 1; n <= 2000; n++) {
      const l = accessLogLine(n, ms);
      const m = JOB_REGEX.exec(l.line);
      assert.ok(m, `line ${n} does not match the job's pattern: ${l.line}`);
      assert.equal(m[4]!.replace(/[?#].*$/, ''), l.page);
      assert.equal(m[3], '04/Dec/2026:20:30:51 +0000');
      if (l.user !== '-') assert.equal(m[2], l.user);
      assert.match(l.line, /" (200|304|404) \d+ "[^"]*" "[^"]*"$/);
    }
  });

  it('is deterministic per line number and spreads lines over the pages by weight', () => {
    assert.deepEqual(accessLogLine(42, 0), accessLogLine(42, 0));
    const count: Record<string, number> = {};
    for (let n = 0; n < 10_000; n++) count[accessLogLine(n, 0).page] = (count[accessLogLine(n, 0).page] ?? 0) + 1;
    assert.equal(Object.keys(count).length, 10);
    assert.ok(count['/']! > count['/checkout']! * 3, JSON.stringify(count));
  });

  it("times read as strftime's %d/%b/%Y:%H:%M:%S %z in UTC", () => {
    assert.equal(clfTime(Date.UTC(2027, 0, 2, 3, 4, 5)), '02/Jan/2027:03:04:05 +0000');
  });

  it('appends whole lines at the rate through one command, creating the directory; a second run appends', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-append-'));
    try {
      const file = path.join(dir, 'logs', 'access.log');
      const host = new LocalHost({ name: 'here' });
      const r = await appendAccessLog(host, file, { rate: 2000, count: 3000 });
      assert.equal(r.written, 3000);
      assert.deepEqual([r.firstId, r.lastId], [1, 3000]);
      assert.ok(r.seconds >= 1, `3000 lines at 2000/s took ${r.seconds} s`);
      const again = await appendAccessLog(host, file, { rate: 0, count: 500, firstId: 3001 });
      assert.equal(again.written, 500);
      const lines = readFileSync(file, 'utf8').split('\n');
      assert.equal(lines.pop(), '', 'the file ends with a newline');
      assert.equal(lines.length, 3500);
      for (const l of lines) assert.match(l, JOB_REGEX);
      assert.equal(
        Object.values(r.perPage).reduce((a, b) => a + b, 0),
        3000,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the host and the file when it cannot write', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pyro-append-'));
    try {
      execFileSync('sh', ['-c', `touch ${dir}/plain`]);
      // A directory below a plain file cannot be created.
      await assert.rejects(appendAccessLog(new LocalHost({ name: 'here' }), `${dir}/plain/sub/access.log`, { rate: 0, count: 10 }), (e: Error) => {
        assert.match(e.message, /appending to .*plain\/sub\/access\.log on here failed/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
