import { App, Stack } from 'aws-cdk-lib';
import { auroraMysqlEverything, rdsPostgresEverything } from './full-featured-stacks';
import { ExistingDatabaseStack } from '../../examples/existing-database/app';
import { FanOutStack } from '../../examples/fan-out/app';
import { MysqlReplicasStack } from '../../examples/mysql-replicas/app';
import { OrdersApiStack } from '../../examples/orders-api/app';

/** Every example and both full-featured stacks: what the compliance gate and the schema check synthesize. */
export const STACKS_UNDER_TEST: Array<[string, (app: App) => Stack]> = [
  ['examples/orders-api', (app) => new OrdersApiStack(app, 'OrdersApi')],
  ['examples/fan-out', (app) => new FanOutStack(app, 'FanOut')],
  ['examples/mysql-replicas', (app) => new MysqlReplicasStack(app, 'MysqlReplicas')],
  ['examples/existing-database', (app) => new ExistingDatabaseStack(app, 'ExistingDatabase')],
  ['every feature on Aurora MySQL', auroraMysqlEverything],
  ['every feature on RDS for PostgreSQL', rdsPostgresEverything],
];
