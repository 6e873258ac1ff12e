import { existsSync } from 'node:fs';
import * as mysql from 'mysql2/promise';
import { LocalMariaDb, startMariaDb } from '../src/mariadb-server';

describe('local MariaDB server', () => {
  let db: LocalMariaDb | undefined;

  afterEach(async () => {
    await db?.stop();
    db = undefined;
  });

  test('serves the app user over TCP with the chosen database character set, and stop() removes everything', async () => {
    // GIVEN
    db = await startMariaDb({ characterSet: 'latin1', ignoreClientCharacterSet: true });
    const connection = await mysql.createConnection({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database });
    try {
      // WHEN
      const [rows] = await connection.query('SELECT @@character_set_database AS db, @@character_set_client AS client, CURRENT_USER() AS who');
      // THEN the client's utf8mb4 handshake is ignored: the connection is latin1 like the database
      expect(rows).toEqual([{ db: 'latin1', client: 'latin1', who: `${db.user}@127.0.0.1` }]);
    } finally {
      await connection.end();
    }
    const dataDir = db.dataDir;
    await db.stop();
    db = undefined;
    expect(existsSync(dataDir)).toBe(false);
  });

  test('defaults to a utf8mb4 database whose client character set follows the handshake', async () => {
    // GIVEN
    db = await startMariaDb();
    const connection = await mysql.createConnection({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database });
    try {
      // WHEN
      const [rows] = await connection.query('SELECT @@character_set_database AS db, @@collation_database AS collation, @@character_set_client AS client');
      // THEN
      expect(rows).toEqual([{ db: 'utf8mb4', collation: 'utf8mb4_general_ci', client: 'utf8mb4' }]);
    } finally {
      await connection.end();
    }
  });
});
