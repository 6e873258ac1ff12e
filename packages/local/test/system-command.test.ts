import { requireSystemBinary } from '../src/system-command';

describe('requireSystemBinary', () => {
  test('GIVEN an executable THEN it passes', () => {
    expect(() => requireSystemBinary('/bin/sh', 'dash', 'EDA_SH')).not.toThrow();
  });

  test('GIVEN a missing server binary THEN one line names the package and the command that installs it', () => {
    expect(() => requireSystemBinary('/nonexistent/pgbouncer', 'pgbouncer', 'EDA_PGBOUNCER_BIN')).toThrow(new Error(
      '/nonexistent/pgbouncer not found: install the Debian package pgbouncer (apt-get install -y pgbouncer, '
      + 'or bash scripts/install-system-deps.sh), or point EDA_PGBOUNCER_BIN at the binary'));
  });

  test('GIVEN EDA_PGBOUNCER_BIN at a missing file WHEN PgBouncer starts THEN it fails with that line, not an exit code', async () => {
    const saved = process.env.EDA_PGBOUNCER_BIN;
    process.env.EDA_PGBOUNCER_BIN = '/nonexistent/pgbouncer';
    try {
      let start: typeof import('../src/pgbouncer').startPgBouncer | undefined;
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module reads EDA_PGBOUNCER_BIN at load
      jest.isolateModules(() => { start = (require('../src/pgbouncer') as typeof import('../src/pgbouncer')).startPgBouncer; });
      await expect(start!({ host: '127.0.0.1', port: 1, database: 'app', user: 'app_user', password: 'x' } as never))
        .rejects.toThrow('/nonexistent/pgbouncer not found: install the Debian package pgbouncer');
    } finally {
      if (saved === undefined) delete process.env.EDA_PGBOUNCER_BIN; else process.env.EDA_PGBOUNCER_BIN = saved;
    }
  });
});
