import { Construct } from 'constructs';
import { bindAuroraCluster } from './aurora-cluster';
import {
  AuroraProvisionedOptions,
  AuroraServerlessV2Options,
  DatabaseSourceBindOptions,
  DatabaseSourceConfig,
  ExistingClusterAttributes,
  ExistingInstanceAttributes,
  RdsInstanceOptions,
} from './database-source-options';
import { DatabaseEngineFamily } from './engine';
import { bindExistingCluster, bindExistingInstance } from './existing-database';
import { bindRdsInstance } from './rds-instance';

/**
 * Where the data lives: a new Aurora cluster (Serverless v2 or provisioned), a new RDS instance with
 * read replicas, or an existing cluster or instance imported by attributes.
 */
export abstract class DatabaseSource {
  /** A new Aurora Serverless v2 cluster: a writer and `readers` readers. */
  public static auroraServerlessV2(options: AuroraServerlessV2Options): DatabaseSource {
    return new (class extends DatabaseSource {
      public readonly engine = options.engine;
      public readonly isAurora = true;
      public bind(scope: Construct, bindOptions: DatabaseSourceBindOptions): DatabaseSourceConfig {
        return bindAuroraCluster(scope, bindOptions, { ...options, serverless: true });
      }
    })();
  }

  /** A new provisioned Aurora cluster: a writer and `readers` readers of one instance class. */
  public static auroraProvisioned(options: AuroraProvisionedOptions): DatabaseSource {
    return new (class extends DatabaseSource {
      public readonly engine = options.engine;
      public readonly isAurora = true;
      public bind(scope: Construct, bindOptions: DatabaseSourceBindOptions): DatabaseSourceConfig {
        return bindAuroraCluster(scope, bindOptions, { ...options, serverless: false });
      }
    })();
  }

  /** A new RDS instance with `readReplicas` read replicas. */
  public static rdsInstance(options: RdsInstanceOptions): DatabaseSource {
    return new (class extends DatabaseSource {
      public readonly engine = options.engine;
      public readonly isAurora = false;
      public bind(scope: Construct, bindOptions: DatabaseSourceBindOptions): DatabaseSourceConfig {
        return bindRdsInstance(scope, bindOptions, options);
      }
    })();
  }

  /** An existing Aurora cluster. */
  public static existingCluster(attrs: ExistingClusterAttributes): DatabaseSource {
    return new (class extends DatabaseSource {
      public readonly engine = attrs.engine;
      public readonly isAurora = true;
      public bind(scope: Construct, _bindOptions: DatabaseSourceBindOptions): DatabaseSourceConfig {
        return bindExistingCluster(scope, attrs);
      }
    })();
  }

  /** An existing RDS instance (and its read replicas). */
  public static existingInstance(attrs: ExistingInstanceAttributes): DatabaseSource {
    return new (class extends DatabaseSource {
      public readonly engine = attrs.engine;
      public readonly isAurora = false;
      public bind(scope: Construct, _bindOptions: DatabaseSourceBindOptions): DatabaseSourceConfig {
        return bindExistingInstance(scope, attrs);
      }
    })();
  }

  /** Engine family. */
  public abstract readonly engine: DatabaseEngineFamily;
  /** Whether the source is Aurora (READ_ONLY proxy endpoints exist only for Aurora). */
  public abstract readonly isAurora: boolean;

  /** Creates (or imports) the database resources in `scope`. */
  public abstract bind(scope: Construct, options: DatabaseSourceBindOptions): DatabaseSourceConfig;
}
