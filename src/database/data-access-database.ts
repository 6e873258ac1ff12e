import { ArnFormat, Duration, Names, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import { ConnectionLedger } from '../budget/connection-ledger';
import { ConnectionTarget } from '../budget/connection-target';
import { acknowledge, acknowledgeProxyIngress } from '../compliance/acknowledgements';
import { fail, isConcrete, validateExclusive, validateInteger, validateRange } from '../validation';
import { ConnectOptions, ConnectionInfo, DatabaseAuthentication, IDatabaseConsumer } from './connection';
import {
  clusterReaderTarget,
  dataApiWriterTarget,
  DEFAULT_DIRECT_CONNECTIONS_FRACTION,
  proxyReadOnlyTarget,
  proxyWriterTarget,
  replicaTarget,
} from './connection-targets';
import { DataAccessDatabaseProps } from './data-access-database-props';
import { DataApiConnectionInfo, DataApiGrantOptions, grantDataApi } from './data-api';
import { resolveConsumer, ResolvedConsumer } from './database-consumer';
import { DatabaseSourceConfig } from './database-source-options';
import { DatabaseEngineFamily } from './engine';
import { ProxyMetrics } from './proxy-metrics';
import { DataAccessProxyOptions, DEFAULT_IDLE_CLIENT_TIMEOUT_SECONDS, DEFAULT_MAX_CONNECTIONS_PERCENT, validateProxyOptions } from './proxy-options';

/** One place a grant connects to. */
interface Endpoint {
  readonly host: string;
  readonly connections: ec2.Connections;
  readonly resourceId: string;
  readonly target: ConnectionTarget;
  /** Whether the proxy carries the connection (then, with end-to-end IAM, the proxy logs in as the user too). */
  readonly viaProxy: boolean;
}

/**
 * aws-cdk-lib's RDS constructs default to PRIVATE_WITH_EGRESS and fail on a VPC that has only
 * isolated subnets (a common choice for databases); fall back to those instead.
 */
function privateSubnetsOf(vpc: ec2.IVpc): ec2.SubnetSelection {
  return { subnetType: vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED };
}

/** The grant option behind each environment variable two grants of one function must agree on. */
const GRANT_PROPS: { [variable: string]: string } = {
  EDA_DATABASE: 'databaseName',
  EDA_DB_USER: 'user',
  EDA_POOL_MAX: 'connectionsPerEnvironment',
  EDA_STATEMENT_TIMEOUT_MS: 'statementTimeout',
};

/** RDS Proxy and its endpoints need subnets in at least this many Availability Zones. */
const MIN_PROXY_SUBNETS = 2;

/** The CA bundle of the Lambda runtime, which includes the Amazon RDS certificate authorities. */
export const LAMBDA_RUNTIME_CA_BUNDLE = '/var/runtime/ca-cert.pem';

/** The default database user with IAM authentication. */
export const DEFAULT_IAM_USER = 'eda_app';

/**
 * A database behind an RDS Proxy, with a read/write split that grants wire into consumers: security
 * group rules, scoped IAM permissions, the environment contract and the connection ledger.
 */
export class DataAccessDatabase extends Construct implements ec2.IConnectable {
  /** Engine family. */
  public readonly engine: DatabaseEngineFamily;
  /** The proxy in front of the writer. */
  public readonly proxy: rds.IDatabaseProxy;
  /** The proxy's security groups: consumers are allowed in here. */
  public readonly connections: ec2.Connections;
  /** Port of the proxy and the database. */
  public readonly port: number;
  /** Subnets of the database and the proxy (functions the pattern creates go there too). */
  public readonly vpcSubnets: ec2.SubnetSelection;
  /** Name of the database. */
  public readonly databaseName: string;
  /** How consumers authenticate. */
  public readonly authentication: DatabaseAuthentication;
  /** Database user of grants that name none. */
  public readonly defaultUser: string;
  /** The writer path: the proxy's default endpoint. */
  public readonly writeTarget: ConnectionTarget;
  /** The read path: the READ_ONLY endpoint, the cluster reader endpoint, or each replica. Empty without readers. */
  public readonly readTargets: ConnectionTarget[];
  /** Metrics of the proxy. */
  public readonly proxyMetrics: ProxyMetrics;
  /**
   * Address of the proxy READ_ONLY endpoint.
   * @default - none (no Aurora readers, or `readOnlyEndpoint` false)
   */
  public readonly readOnlyEndpointAddress?: string;
  /**
   * The Aurora cluster.
   * @default - none (an RDS instance)
   */
  public readonly cluster?: rds.IDatabaseCluster;
  /**
   * The RDS instance.
   * @default - none (an Aurora cluster)
   */
  public readonly instance?: rds.IDatabaseInstance;
  /** RDS read replicas (read directly). */
  public readonly readReplicas: rds.IDatabaseInstance[];
  /**
   * The master secret.
   * @default - none (an existing database imported without a secret)
   */
  public readonly secret?: secretsmanager.ISecret;

  private readonly config: DatabaseSourceConfig;
  private readonly proxyMaxConnectionsPercent: number;
  private dataApiTarget?: ConnectionTarget;
  private readonly proxyRole?: iam.IRole;
  private readonly proxyResourceId: string;
  private readonly writeEndpoints: Endpoint[];
  private readonly readEndpoints: Endpoint[];
  private readonly proxyUsers = new Set<string>();
  private readonly consumerEnvironments = new Map<IConstruct, { [key: string]: string }>();
  private readonly vpcPath: string;

  public constructor(scope: Construct, id: string, props: DataAccessDatabaseProps) {
    super(scope, id);
    validateExclusive(this, 'existingProxy', props.existingProxy, 'proxy', props.proxy);
    const fraction = props.directConnectionsFraction ?? DEFAULT_DIRECT_CONNECTIONS_FRACTION;
    if (isConcrete(fraction) && (fraction <= 0 || fraction > 1)) {
      fail(this, 'EdaOutOfRange', `directConnectionsFraction must be greater than 0 and at most 1, got ${fraction}`);
    }
    this.databaseName = props.databaseName ?? 'app';
    this.vpcPath = props.vpc.node.path;
    this.authentication = props.authentication ?? DatabaseAuthentication.IAM;
    this.vpcSubnets = props.vpcSubnets ?? privateSubnetsOf(props.vpc);
    const config = props.source.bind(this, { vpc: props.vpc, vpcSubnets: this.vpcSubnets, databaseName: this.databaseName });
    this.config = config;
    this.engine = config.engine;
    this.port = config.port;
    this.cluster = config.cluster;
    this.instance = config.instance;
    this.readReplicas = config.directReadTargets.map((t) => t.instance);
    this.secret = config.secret;
    if (this.authentication !== DatabaseAuthentication.IAM && !config.secret) {
      fail(this, 'EdaSecretRequired', `authentication ${this.authentication} needs the database secret: pass secret in the existing source's attributes or use DatabaseAuthentication.IAM`);
    }
    this.defaultUser = props.defaultUser
      ?? (this.authentication === DatabaseAuthentication.IAM ? DEFAULT_IAM_USER : config.masterUsername ?? config.secret!.secretValueFromJson('username').unsafeUnwrap());

    const proxySubnets = props.proxy?.vpcSubnets ?? this.vpcSubnets;
    let percent: number;
    if (props.existingProxy) {
      validateRange(this, 'existingProxyMaxConnectionsPercent', props.existingProxyMaxConnectionsPercent, 1, 100);
      percent = props.existingProxyMaxConnectionsPercent ?? 100;
      this.proxy = props.existingProxy;
      const own = (props.existingProxy as Partial<ec2.IConnectable>).connections;
      if (!props.existingProxySecurityGroups && !own) {
        fail(this, 'EdaExistingProxySecurityGroups', 'existingProxySecurityGroups must be set when existingProxy is imported: consumers are allowed in on the proxy\'s security groups');
      }
      this.connections = props.existingProxySecurityGroups ? new ec2.Connections({ securityGroups: props.existingProxySecurityGroups }) : own!;
    } else {
      const options = props.proxy ?? {};
      validateProxyOptions(this, options, config.engine);
      this.validateIdleTimeouts(config, options);
      percent = options.maxConnectionsPercent ?? DEFAULT_MAX_CONNECTIONS_PERCENT;
      const proxy = this.createProxy(props.vpc, proxySubnets, options, percent);
      this.proxy = proxy;
      this.connections = proxy.connections;
      this.proxyRole = (proxy.node.tryFindChild('IAMRole') as iam.IRole | undefined);
      // The proxy's role holds grant-written statements (its secret, or rds-db:connect per user).
      if (this.proxyRole) acknowledge(this.proxyRole, 'grantsAreInlinePolicies');
      acknowledgeProxyIngress(this.config.connections, proxy);
    }
    // ProxyTarget.bind opens proxy → database on the database port for a new proxy; an existing proxy
    // already reaches its target. Consumer rules are added per grant.
    this.proxyResourceId = Stack.of(this).splitArn(this.proxy.dbProxyArn, ArnFormat.COLON_RESOURCE_NAME).resourceName!;
    this.proxyMetrics = new ProxyMetrics(this.proxy.dbProxyName);

    this.proxyMaxConnectionsPercent = percent;
    this.writeTarget = proxyWriterTarget(this.proxy, this.node.path, config, percent);
    this.writeEndpoints = [
      { host: this.proxy.endpoint, connections: this.connections, resourceId: this.proxyResourceId, target: this.writeTarget, viaProxy: true },
    ];

    const readers = config.readerCapacities.length;
    const wantsReadOnly = props.readOnlyEndpoint ?? (config.isAurora && readers > 0);
    if (wantsReadOnly && !config.isAurora) {
      fail(this, 'EdaReadOnlyEndpointNotAurora', 'readOnlyEndpoint requires an Aurora source: RDS Proxy READ_ONLY endpoints serve Aurora readers only, RDS read replicas are read directly');
    }
    if (wantsReadOnly && readers === 0) {
      fail(this, 'EdaReadOnlyEndpointNoReaders', 'readOnlyEndpoint requires at least 1 Aurora reader, got readers 0');
    }
    if (wantsReadOnly) {
      const endpoint = props.existingProxyReadOnlyEndpoint === undefined ? this.addReadOnlyEndpoint(props.vpc, proxySubnets) : undefined;
      this.readOnlyEndpointAddress = endpoint?.endpoint ?? props.existingProxyReadOnlyEndpoint!;
      const target = proxyReadOnlyTarget(endpoint ?? this.proxy, this.node.path, config, percent);
      this.readEndpoints = [
        { host: this.readOnlyEndpointAddress, connections: this.connections, resourceId: this.proxyResourceId, target, viaProxy: true },
      ];
    } else if (config.isAurora && readers > 0 && config.readerEndpointAddress) {
      const target = clusterReaderTarget(config.cluster!, this.node.path, config, fraction);
      this.readEndpoints = [
        { host: config.readerEndpointAddress, connections: config.connections, resourceId: config.resourceId, target, viaProxy: false },
      ];
    } else {
      this.readEndpoints = config.directReadTargets.map((replica, i) => ({
        host: replica.instance.instanceEndpoint.hostname,
        connections: replica.instance.connections,
        resourceId: replica.resourceId,
        target: replicaTarget(replica.instance, this.node.path, i, config, fraction),
        viaProxy: false,
      }));
    }
    this.readTargets = this.readEndpoints.map((e) => e.target);
  }

  /**
   * Lets `consumer` read: routes it to the read path (the proxy READ_ONLY endpoint for Aurora, each
   * replica for RDS), opens the security group rule on the database port, grants `rds-db:connect` (or
   * secret read), sets the environment contract and records the draw in the ledger.
   *
   * `consumer` is a Lambda function in the database's VPC, an ECS service (`FargateService`, `Ec2Service`:
   * the rule is opened from the service's security groups, the permission goes to
   * `service.taskDefinition.taskRole`, the environment to the task definition's default container), an
   * EC2 instance or an Auto Scaling group (both `IConnectable & IGrantable`; the environment is yours to
   * set from `readConnectionInfo`), or any construct with `connections` and `grantPrincipal`.
   * Non-Lambda consumers tell the budget their concurrency with `declaredConcurrency` (an ECS service:
   * its maximum task count; an Auto Scaling group defaults to its maxCapacity, an instance to 1).
   *
   * @returns the IAM grant (`rds-db:connect`, or the secret's read with secret authentication); the
   * connection facts come from `readConnectionInfo`
   */
  public grantRead(consumer: IDatabaseConsumer | ecs.BaseService, options: ConnectOptions = {}): iam.Grant {
    this.validateReadPath();
    this.validateDrawOptions(options);
    return this.connect(resolveConsumer(this, 'grantRead', consumer, this.vpcPath), options, this.readEndpoints, 'READ');
  }

  /**
   * Lets `consumer` write through the proxy's default endpoint (same consumers and wiring as `grantRead`).
   * @returns the IAM grant; the connection facts come from `writeConnectionInfo`
   */
  public grantWrite(consumer: IDatabaseConsumer | ecs.BaseService, options: ConnectOptions = {}): iam.Grant {
    this.validateDrawOptions(options);
    return this.connect(resolveConsumer(this, 'grantWrite', consumer, this.vpcPath), options, this.writeEndpoints, 'WRITE');
  }

  /** Where and how a reader connects with `options` (what `grantRead` sets as the environment contract). */
  public readConnectionInfo(options: ConnectOptions = {}): ConnectionInfo {
    this.validateReadPath();
    return this.connectionInfo(options, this.readEndpoints, 'READ');
  }

  /** Where and how a writer connects with `options` (what `grantWrite` sets as the environment contract). */
  public writeConnectionInfo(options: ConnectOptions = {}): ConnectionInfo {
    return this.connectionInfo(options, this.writeEndpoints, 'WRITE');
  }

  /**
   * Lets `grantee` run SQL through the RDS Data API (HTTPS) of the Aurora cluster: the rds-data
   * actions (ExecuteStatement, BatchExecuteStatement, Begin/Commit/RollbackTransaction) on the cluster
   * ARN and secretsmanager:GetSecretValue on the secret the Data API logs in with. Sets
   * `EDA_DATA_API_RESOURCE_ARN`, `EDA_DATA_API_SECRET_ARN` and `EDA_DATABASE` on Lambda functions (and on
   * an ECS service's default container). The grantee needs no VPC.
   *
   * Named for the read path it serves, but IAM cannot restrict ExecuteStatement to reads: pass
   * `options.secret` of a read-only database user to make it one.
   *
   * The Data API runs every statement on the writer instance, outside the proxy: the grantee's
   * concurrency × `connectionsPerEnvironment` is drawn in the concurrency budget from the writer
   * connections the proxy pool leaves (max_connections − maxConnectionsPercent%).
   * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.html
   *
   * @returns the IAM grant of the Data API actions; the connection facts come from `dataApiConnectionInfo`
   */
  public grantDataApiRead(grantee: iam.IGrantable | ecs.BaseService, options: DataApiGrantOptions = {}): iam.Grant {
    const info = this.dataApiConnectionInfo(options);
    if (!Construct.isConstruct(grantee)) {
      fail(this, 'EdaDataApiGrantee', 'grantDataApiRead grantee must be a construct (a function, role or service of this app): the concurrency budget counts its Data API connections on the writer');
    }
    const perEnvironment = this.validateDrawOptions(options);
    // Functions and services get the environment contract; a role is only a principal.
    const candidate: unknown = grantee;
    const resolved = candidate instanceof ecs.BaseService || candidate instanceof lambda.FunctionBase
      ? resolveConsumer(this, 'grantDataApiRead', candidate)
      : undefined;
    const principal: iam.IGrantable = resolved?.grantee ?? (candidate as iam.IGrantable);
    const grant = grantDataApi(this.config.cluster!, principal, this.dataApiSecret(options));
    // The function holds no database connection, but the Data API runs each of its statements on a
    // connection to the writer instance ("Data API requires access to the writer instance for query
    // processing, even for read queries"), outside the proxy. Estimate: one writer connection per statement
    // in flight, i.e. concurrency × connectionsPerEnvironment, drawn from what the proxy pool leaves.
    this.dataApiTarget ??= dataApiWriterTarget(this.config.cluster!, this.node.path, this.config, this.proxyMaxConnectionsPercent);
    ConnectionLedger.of(this).recordDraw({
      target: this.dataApiTarget,
      consumer: grantee,
      connectionsPerEnvironment: perEnvironment,
      declaredConcurrency: options.declaredConcurrency ?? resolved?.defaultConcurrency,
      concurrencyLever: resolved?.concurrencyLever,
    });
    this.setEnvironment(resolved ?? resolveConsumerEnvironment(grantee), info.environment);
    return grant;
  }

  /** The resource, secret and database a Data API grantee uses with `options` (what `grantDataApiRead` sets). */
  public dataApiConnectionInfo(options: DataApiGrantOptions = {}): DataApiConnectionInfo {
    const cluster = this.config.cluster;
    if (!this.config.isAurora || !cluster) {
      fail(this, 'EdaDataApiNotAurora', `grantDataApiRead requires an Aurora source: the RDS Data API exists for Aurora clusters only, but ${this.node.path} is an RDS instance`);
    }
    if (!this.config.dataApiEnabled) {
      fail(this, 'EdaDataApiNotEnabled', `grantDataApiRead requires the Data API: set enableDataApi: true on the Aurora source (dataApiEnabled: true for an existing cluster), got ${this.config.dataApiEnabled ?? false}`);
    }
    const secret = this.dataApiSecret(options);
    const databaseName = options.databaseName ?? this.databaseName;
    const environment = {
      EDA_DATA_API_RESOURCE_ARN: cluster.clusterArn,
      EDA_DATA_API_SECRET_ARN: secret.secretArn,
      EDA_DATABASE: databaseName,
    };
    return { resourceArn: cluster.clusterArn, secretArn: secret.secretArn, databaseName, environment };
  }

  private dataApiSecret(options: DataApiGrantOptions): secretsmanager.ISecret {
    const secret = options.secret ?? this.config.secret;
    if (!secret) {
      fail(this, 'EdaDataApiSecret', 'grantDataApiRead needs a secret the Data API logs in with: pass options.secret, or secret in the existing cluster\'s attributes');
    }
    return secret;
  }

  private validateReadPath(): void {
    if (this.readEndpoints.length === 0) {
      fail(this, 'EdaNoReadPath', `grantRead needs readers (Aurora) or readReplicas (RDS) of at least 1, got 0 on ${this.node.path}: add a reader, or use grantWrite`);
    }
  }

  private createProxy(
    vpc: ec2.IVpc,
    vpcSubnets: ec2.SubnetSelection | undefined,
    options: DataAccessProxyOptions,
    percent: number,
  ): rds.DatabaseProxy {
    this.validateProxySubnets(vpc, vpcSubnets, 'the proxy');
    const auth = this.authentication;
    return new rds.DatabaseProxy(this, 'Proxy', {
      proxyTarget: this.config.proxyTarget,
      vpc,
      vpcSubnets,
      securityGroups: options.securityGroups,
      // Without the DATABASE_PROXY_UNIQUE_RESOURCE_NAME feature flag aws-cdk-lib names every proxy 'Proxy',
      // and proxy names are unique per account and Region.
      dbProxyName: options.dbProxyName ?? Names.uniqueResourceName(this, { maxLength: 60 }),
      requireTLS: true,
      // End-to-end IAM (DefaultAuthScheme IAM_AUTH, RDS Proxy since 2025-09) needs no secret; the
      // proxy role gets rds-db:connect per user as grants name them.
      // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-iam-setup.html#rds-proxy-iam-setup-e2e-steps
      defaultAuthScheme: auth === DatabaseAuthentication.IAM ? rds.DefaultAuthScheme.IAM_AUTH : undefined,
      secrets: auth === DatabaseAuthentication.IAM ? undefined : [this.config.secret!],
      iamAuth: auth === DatabaseAuthentication.IAM_WITH_SECRET,
      maxConnectionsPercent: percent,
      maxIdleConnectionsPercent: options.maxIdleConnectionsPercent,
      borrowTimeout: options.connectionBorrowTimeout,
      idleClientTimeout: options.idleClientTimeout,
      initQuery: options.initQuery,
      sessionPinningFilters: options.sessionPinningFilters,
      debugLogging: options.debugLogging ?? false,
    });
  }

  /**
   * The database must not close idle sessions before the proxy does. AWS's RDS Proxy configuration
   * guidelines ask for database-side timeouts at least as long as the proxy's IdleClientTimeout
   * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-best-practices.configuration.html;
   * UNVERIFIED: the stored corpus has that page without its IdleClientTimeout section, so the sentence is not
   * quoted here). The reason holds regardless: a client session the proxy keeps open, or one pinned to a
   * database connection, breaks when MySQL's wait_timeout closes the server side first. An equal value races.
   */
  private validateIdleTimeouts(config: DatabaseSourceConfig, options: DataAccessProxyOptions): void {
    const database = config.idleSessionTimeoutSeconds;
    const proxy = options.idleClientTimeout?.toSeconds({ integral: false }) ?? DEFAULT_IDLE_CLIENT_TIMEOUT_SECONDS;
    if (isConcrete(database) && isConcrete(proxy) && database <= proxy) {
      fail(this, 'EdaIdleTimeoutBelowProxy',
        `queryGuardrails.idleSessionTimeout (MySQL wait_timeout/interactive_timeout ${database} s) must be longer than the proxy's idleClientTimeout (${proxy} s): ` +
        'the database would close sessions the proxy still holds');
    }
  }

  /**
   * Every proxy needs subnets in at least two Availability Zones: "Using RDS Proxy requires you to have a
   * common virtual private cloud (VPC) between your Aurora DB cluster and RDS Proxy. This VPC should have
   * a minimum of two subnets that are in different Availability Zones."
   * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy-network-prereqs.html; the
   * RDS user guide says the same for RDS DB instances). CreateDBProxy takes them as VpcSubnetIds
   * ("One or more VPC subnet IDs to associate with the new proxy."), and its endpoints as well.
   */
  private validateProxySubnets(vpc: ec2.IVpc, vpcSubnets: ec2.SubnetSelection | undefined, what: string): void {
    const selected = vpc.selectSubnets(vpcSubnets);
    const zones = new Set(selected.availabilityZones).size;
    if (selected.subnetIds.length < MIN_PROXY_SUBNETS || zones < MIN_PROXY_SUBNETS) {
      fail(this, 'EdaProxySubnets', `vpcSubnets must select at least ${MIN_PROXY_SUBNETS} subnets in ${MIN_PROXY_SUBNETS} Availability Zones for ${what}, got ${selected.subnetIds.length} subnet(s) in ${zones} zone(s)`);
    }
  }

  /**
   * READ_ONLY endpoints exist for Aurora only and need at least two subnets in different Availability
   * Zones; a proxy has at most 20 endpoints (we add one).
   * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy-endpoints.html
   */
  private addReadOnlyEndpoint(vpc: ec2.IVpc, vpcSubnets: ec2.SubnetSelection | undefined): rds.IDatabaseProxyEndpoint {
    this.validateProxySubnets(vpc, vpcSubnets, 'the proxy READ_ONLY endpoint');
    return new rds.DatabaseProxyEndpoint(this, 'ReadOnlyEndpoint', {
      dbProxy: this.proxy,
      vpc,
      vpcSubnets,
      securityGroups: this.connections.securityGroups,
      targetRole: rds.ProxyEndpointTargetRole.READ_ONLY,
    });
  }

  /** Validates the budget options of a grant (both at least 1, whole numbers) and returns connections per environment. */
  private validateDrawOptions(options: { readonly connectionsPerEnvironment?: number; readonly declaredConcurrency?: number }): number {
    const perEnvironment = options.connectionsPerEnvironment ?? 1;
    validateInteger(this, 'connectionsPerEnvironment', perEnvironment);
    if (isConcrete(perEnvironment) && perEnvironment < 1) {
      fail(this, 'EdaOutOfRange', `connectionsPerEnvironment must be at least 1, got ${perEnvironment}`);
    }
    validateInteger(this, 'declaredConcurrency', options.declaredConcurrency);
    if (isConcrete(options.declaredConcurrency) && options.declaredConcurrency < 1) {
      fail(this, 'EdaOutOfRange', `declaredConcurrency must be at least 1, got ${options.declaredConcurrency}`);
    }
    return perEnvironment;
  }

  private connect(consumer: ResolvedConsumer, options: ConnectOptions, endpoints: Endpoint[], path: 'READ' | 'WRITE'): iam.Grant {
    const info = this.connectionInfo(options, endpoints, path);
    const iamAuth = this.authentication !== DatabaseAuthentication.SECRET;
    const grants: iam.Grant[] = [];
    for (const endpoint of endpoints) {
      endpoint.connections.allowFrom(consumer.connectable, ec2.Port.tcp(this.port), `${consumer.construct.node.path} ${path.toLowerCase()}s`);
      if (iamAuth) {
        grants.push(iam.Grant.addToPrincipal({ grantee: consumer.grantee, actions: ['rds-db:connect'], resourceArns: [this.dbUserArn(endpoint.resourceId, info.user)] }));
      }
      ConnectionLedger.of(this).recordDraw({
        target: endpoint.target,
        consumer: consumer.construct,
        connectionsPerEnvironment: Number(info.environment.EDA_POOL_MAX),
        declaredConcurrency: options.declaredConcurrency ?? consumer.defaultConcurrency,
        concurrencyLever: consumer.concurrencyLever,
      });
    }
    if (!iamAuth) {
      grants.push(this.secret!.grantRead(consumer.grantee));
    }
    if (endpoints.some((e) => e.viaProxy)) this.allowProxyToConnectAs(info.user);
    this.setEnvironment(consumer, info.environment);
    return grants.reduce((all, grant) => all.combine(grant));
  }

  private connectionInfo(options: ConnectOptions, endpoints: Endpoint[], path: 'READ' | 'WRITE'): ConnectionInfo {
    const perEnvironment = this.validateDrawOptions(options);
    const timeout = options.statementTimeout ?? Duration.seconds(5);
    const user = options.user ?? this.defaultUser;
    const iamAuth = this.authentication !== DatabaseAuthentication.SECRET;
    const hosts = endpoints.map((e) => e.host);
    const environment: { [key: string]: string } = {
      EDA_ENGINE: this.engine,
      EDA_DATABASE: this.databaseName,
      EDA_DB_USER: user,
      EDA_AUTH: iamAuth ? 'iam' : 'secret',
      EDA_TLS: 'verify-full',
      EDA_POOL_MAX: `${perEnvironment}`,
      EDA_STATEMENT_TIMEOUT_MS: `${timeout.toMilliseconds()}`,
      ...(iamAuth ? {} : { EDA_SECRET_ARN: this.secret!.secretArn }),
      ...(path === 'WRITE'
        ? { EDA_WRITE_HOST: hosts[0], EDA_WRITE_PORT: `${this.port}` }
        : { EDA_READ_HOSTS: hosts.join(','), EDA_READ_PORT: `${this.port}` }),
      // RDS Proxy endpoints present publicly trusted (Amazon Trust Services) certificates; database
      // endpoints read directly present the RDS CA, which Node.js 20+ Lambda runtimes no longer load
      // by default. The runtime's own CA bundle has it, so verify-full keeps working.
      // https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html
      ...(endpoints.some((e) => !e.viaProxy) ? { NODE_EXTRA_CA_CERTS: LAMBDA_RUNTIME_CA_BUNDLE } : {}),
    };
    return {
      hosts,
      port: this.port,
      databaseName: this.databaseName,
      user,
      auth: environment.EDA_AUTH,
      secretArn: environment.EDA_SECRET_ARN,
      environment,
    };
  }

  /** With end-to-end IAM the proxy itself logs in as the consumer's user, so its role needs the user too. */
  private allowProxyToConnectAs(user: string): void {
    if (this.authentication !== DatabaseAuthentication.IAM || !this.proxyRole || this.proxyUsers.has(user)) return;
    this.proxyUsers.add(user);
    this.proxyRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['rds-db:connect'],
      resources: [this.dbUserArn(this.config.resourceId, user)],
    }));
  }

  /** `arn:<partition>:rds-db:<region>:<account>:dbuser:<resource id>/<user>`, never a wildcard. */
  private dbUserArn(resourceId: string, user: string): string {
    return Stack.of(this).formatArn({ service: 'rds-db', resource: 'dbuser', resourceName: `${resourceId}/${user}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  /**
   * Sets the environment contract on the consumer (Lambda functions, ECS default containers). A function granted both paths shares the
   * common variables, which must agree (one user, one pool size per environment).
   */
  private setEnvironment(consumer: Pick<ResolvedConsumer, 'construct' | 'addEnvironment'>, environment: { [key: string]: string }): void {
    const previous = this.consumerEnvironments.get(consumer.construct) ?? {};
    for (const [key, value] of Object.entries(environment)) {
      if (previous[key] !== undefined && previous[key] !== value) {
        const prop = GRANT_PROPS[key] ?? key;
        fail(this, 'EdaConflictingGrant', `${prop} of ${consumer.construct.node.path} must match its earlier grant (${key}=${previous[key]}), got ${value}: grant both paths with the same user, connectionsPerEnvironment, statementTimeout and database name`);
      }
    }
    this.consumerEnvironments.set(consumer.construct, { ...previous, ...environment });
    for (const [key, value] of Object.entries(environment)) consumer.addEnvironment(key, value);
  }
}

/** A Data API grantee that is a plain IAM principal (a role, say): it has no environment to set. */
function resolveConsumerEnvironment(grantee: IConstruct): Pick<ResolvedConsumer, 'construct' | 'addEnvironment'> {
  return { construct: grantee, addEnvironment: () => undefined };
}
