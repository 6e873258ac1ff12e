import { FakeClock } from './fakes';
import type { Database } from '../../src/connections/database-registry';
import type { QueryResult, SqlExecutor, SqlPool } from '../../src/connections/sql-pool';
import { CircuitBreaker } from '../../src/resilience/circuit-breaker';

/**
 * An in-memory stand-in for the writer database that understands the idempotency statements
 * (transactions roll back the key set on error). Control flow only: SQL paths are tested on PostgreSQL.
 */
export class FakeDatabase implements Database {
  public readonly keys = new Set<string>();
  public readonly clock = new FakeClock();
  public readonly breaker = new CircuitBreaker({ failureThreshold: 100, clock: this.clock });
  public transactions = 0;
  public queries: string[] = [];
  /** When set, opening a transaction fails with this error (e.g. ECONNREFUSED). */
  public connectError: Error | undefined;
  public readonly pool: SqlPool;

  constructor() {
    const self = this;
    this.pool = {
      engine: 'postgres',
      host: 'fake',
      async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
        self.transactions++;
        if (self.connectError) throw self.connectError;
        const before = new Set(self.keys);
        try {
          return await fn(self.executor());
        } catch (error) {
          self.keys.clear();
          before.forEach((k) => self.keys.add(k));
          throw error;
        }
      },
      end: async () => undefined,
    };
  }

  private executor(): SqlExecutor {
    return {
      engine: 'postgres',
      query: async <Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> => {
        this.queries.push(sql);
        if (sql.includes('to_regclass')) return { rows: [{ present: 1 }] as Row[], rowCount: 1 };
        if (sql.includes('unnest')) {
          const fresh = (params[0] as string[]).filter((k) => !this.keys.has(k));
          fresh.forEach((k) => this.keys.add(k));
          return { rows: fresh.map((key) => ({ key })) as Row[], rowCount: fresh.length };
        }
        if (sql.startsWith('INSERT INTO eda_idempotency_keys')) {
          const key = params[0] as string;
          if (this.keys.has(key)) return { rows: [], rowCount: 0 };
          this.keys.add(key);
          return { rows: [{ key }] as Row[], rowCount: 1 };
        }
        return { rows: [], rowCount: 0 };
      },
    };
  }
}
