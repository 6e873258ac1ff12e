import { userSetupSql } from '../../src/sql/user-setup-sql';

describe('userSetupSql', () => {
  test('PostgreSQL: the statement timeout becomes the user\'s default, with the name quoted', () => {
    expect(userSetupSql('postgres', 'app_writer', 5000)).toEqual(['ALTER ROLE "app_writer" SET statement_timeout = 5000']);
    expect(userSetupSql('postgres', 'we"ird', 1)).toEqual(['ALTER ROLE "we""ird" SET statement_timeout = 1']);
  });

  test('MySQL: nothing (no per-user default exists; the runtime bounds statements on the client)', () => {
    expect(userSetupSql('mysql', 'app_writer', 5000)).toEqual([]);
  });

  test('statement_timeout is a 32-bit integer of milliseconds: 1 and 2147483647 pass, 0 and 2147483648 fail', () => {
    expect(userSetupSql('postgres', 'u', 2_147_483_647)).toEqual(['ALTER ROLE "u" SET statement_timeout = 2147483647']);
    expect(() => userSetupSql('postgres', 'u', 0)).toThrow('statementTimeoutMs must be an integer between 1 and 2147483647, got 0');
    expect(() => userSetupSql('postgres', 'u', 2_147_483_648)).toThrow('statementTimeoutMs must be an integer between 1 and 2147483647, got 2147483648');
    expect(() => userSetupSql('postgres', 'u', 1.5)).toThrow('statementTimeoutMs must be an integer between 1 and 2147483647, got 1.5');
  });

  test('an empty user name is refused', () => {
    expect(() => userSetupSql('postgres', '', 5000)).toThrow("user must be a non-empty name, got ''");
  });
});
