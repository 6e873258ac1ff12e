import { createServer, connect, Server, Socket } from 'node:net';
import { registerExitCleanup } from './exit-cleanup';
import { MysqlCommandEvent, MysqlCommandParser } from './mysql-command-parser';
import { PINNING_CONDITIONS, PinningEngine, pinningMatches, PinningRule } from './pinning-rules';
import { PostgresFrontendEvent, PostgresFrontendParser } from './postgres-frontend-parser';

/**
 * A TCP proxy between clients and the pool (PgBouncer) or the database that reports every statement that would pin
 * an RDS Proxy session. PgBouncer in transaction mode never pins, so it is silent about SET, temporary tables,
 * advisory locks…: they work locally and quietly defeat multiplexing in AWS. The detector reads the client's side of
 * the wire protocol in-line (bytes are forwarded unchanged, as they arrive, and never held back) and applies AWS's
 * rules (./pinning-rules.ts).
 */

const HOST = '127.0.0.1';
/** Statement text kept in a finding. */
const MAX_REPORTED_STATEMENT = 300;
/** Distinct (rule, statement) pairs kept; further ones are counted under one entry per rule. */
const MAX_DISTINCT_FINDINGS = 1000;

/** Options of {@link PinningDetector.start}. */
export interface PinningDetectorOptions {
  /** Which wire protocol and rules. */
  readonly engine: PinningEngine;
  /** Where to forward connections (PgBouncer, or the database itself). */
  readonly upstream: { readonly host: string; readonly port: number };
  /** TCP port on 127.0.0.1. @default a free port chosen by the kernel */
  readonly port?: number;
  /** Called on the first occurrence of each distinct finding (e.g. to log it). @default none */
  readonly onFinding?: (finding: PinningFinding) => void;
}

/** A statement that would pin, with how often and from how many connections it was seen. */
export interface PinningFinding {
  readonly engine: PinningEngine;
  readonly rule: PinningRule;
  /** AWS's sentence behind the rule. */
  readonly condition: string;
  /** The statement, truncated to 300 characters. */
  readonly statement: string;
  /** Occurrences. */
  readonly count: number;
  /** Distinct client connections that sent it. */
  readonly connections: number;
  /** The first client that sent it: `address:port`, and `user@database` when the login named them. */
  readonly firstClient: string;
}

/** Counters of what the detector saw. */
export interface PinningDetectorStats {
  /** Client connections accepted. */
  readonly connections: number;
  /** Connections whose traffic could not be read (TLS): their statements were not checked. */
  readonly opaqueConnections: number;
  /** Query strings and prepared statements checked. */
  readonly statementsChecked: number;
}

/** Thrown by {@link PinningDetector.expectNoPinning}. */
export class PinningError extends Error {
  constructor(public readonly findings: readonly PinningFinding[]) {
    super(`${findings.length} statement(s) would pin an RDS Proxy session:\n${findings
      .map((f) => `- [${f.rule}] ${f.statement} (×${f.count}, ${f.connections} connection(s); AWS: "${f.condition}")`).join('\n')}`);
    this.name = 'PinningError';
  }
}

interface MutableFinding {
  engine: PinningEngine;
  rule: PinningRule;
  condition: string;
  statement: string;
  count: number;
  connectionIds: Set<number>;
  firstClient: string;
}

/** See the module comment. Start with {@link PinningDetector.start}; `stop()` closes every connection. */
export class PinningDetector {
  /** Listens on 127.0.0.1 and forwards every connection to `upstream`. */
  public static async start(options: PinningDetectorOptions): Promise<PinningDetector> {
    const detector = new PinningDetector(options);
    await detector.listen(options.port ?? 0);
    return detector;
  }

  public readonly host = HOST;
  private actualPort = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly byKey = new Map<string, MutableFinding>();
  private connectionCount = 0;
  private opaqueCount = 0;
  private checked = 0;
  private unregister: (() => void) | undefined;
  private stopped = false;

  private constructor(private readonly options: PinningDetectorOptions) {
    this.server = createServer((client) => this.accept(client));
  }

  /** The port clients connect to instead of the upstream's. */
  public get port(): number {
    return this.actualPort;
  }

  /** Every distinct statement seen that would pin, in the order first seen. */
  public findings(): PinningFinding[] {
    return [...this.byKey.values()].map(({ connectionIds, ...finding }) => ({ ...finding, connections: connectionIds.size }));
  }

  public get stats(): PinningDetectorStats {
    return { connections: this.connectionCount, opaqueConnections: this.opaqueCount, statementsChecked: this.checked };
  }

  /** Forgets findings and counters (e.g. between two phases of a test). */
  public clear(): void {
    this.byKey.clear();
    this.connectionCount = 0;
    this.opaqueCount = 0;
    this.checked = 0;
  }

  /** Throws a {@link PinningError} listing the findings, if there are any. */
  public expectNoPinning(): void {
    const findings = this.findings();
    if (findings.length > 0) throw new PinningError(findings);
  }

  /** Stops listening and closes every forwarded connection. Idempotent. */
  public async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.unregister?.();
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, HOST, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        this.actualPort = typeof address === 'object' && address ? address.port : 0;
        this.unregister = registerExitCleanup(() => this.server.close());
        resolve();
      });
    });
  }

  private accept(client: Socket): void {
    const id = ++this.connectionCount;
    const upstream = connect({ host: this.options.upstream.host, port: this.options.upstream.port });
    // Without this, small protocol messages could wait for Nagle's algorithm: the hop must add no latency.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    this.sockets.add(client);
    this.sockets.add(upstream);
    let who = `${client.remoteAddress}:${client.remotePort}`;
    const record = (engine: PinningEngine, text: string, bytes: number, extra: readonly PinningRule[] = []) => {
      this.checked++;
      for (const rule of extra) this.record(engine, rule, text, id, who);
      for (const match of pinningMatches(engine, text, bytes)) this.record(engine, match.rule, match.statement, id, who);
    };

    let feed: (chunk: Buffer) => void;
    if (this.options.engine === 'postgres') {
      const parser = new PostgresFrontendParser((event: PostgresFrontendEvent) => {
        if (event.kind === 'startup') who = `${who} ${event.parameters.user ?? '?'}@${event.parameters.database ?? '?'}`;
        else if (event.kind === 'query') record('postgres', event.text, event.bytes);
        else if (event.kind === 'parse') record('postgres', event.text, event.bytes, event.name === '' ? [] : ['named-prepared-statement']);
        else this.opaqueCount++;
      });
      feed = (chunk) => parser.push(chunk);
      // The server's answer to SSLRequest is one byte; the parser needs it to know whether TLS follows.
      const onAnswer = (chunk: Buffer) => {
        if (parser.awaitingEncryptionAnswer) parser.encryptionAnswer(chunk[0]);
        if (parser.pastStartup) upstream.off('data', onAnswer);
      };
      upstream.on('data', onAnswer);
    } else {
      const parser = new MysqlCommandParser((event: MysqlCommandEvent) => {
        if (event.kind === 'login') who = `${who} ${event.user}@${event.database ?? '?'}`;
        else if (event.kind === 'query') record('mysql', event.text, event.bytes);
        else if (event.kind === 'prepare') record('mysql', event.text, event.bytes, ['prepared-statement']);
        else this.opaqueCount++;
      });
      feed = (chunk) => parser.push(chunk);
      const onGreeting = (chunk: Buffer) => {
        parser.serverBytes(chunk);
        if (!parser.awaitingGreeting) upstream.off('data', onGreeting);
      };
      upstream.on('data', onGreeting);
    }
    client.on('data', (chunk: Buffer) => {
      try {
        feed(chunk);
      } catch {
        // A parser bug must never break the traffic it watches: stop reading this connection.
        feed = () => undefined;
        this.opaqueCount++;
      }
    });

    // Bytes flow unchanged in both directions; pipe() applies backpressure.
    client.pipe(upstream);
    upstream.pipe(client);
    // Upstream down (e.g. PgBouncer restarting): reset the client, as a refused connection would.
    upstream.on('error', () => client.resetAndDestroy());
    client.on('error', () => upstream.destroy());
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.end();
    });
    client.on('close', () => {
      this.sockets.delete(client);
      upstream.destroy();
    });
  }

  private record(engine: PinningEngine, rule: PinningRule, statement: string, connectionId: number, client: string): void {
    const text = statement.length > MAX_REPORTED_STATEMENT ? `${statement.slice(0, MAX_REPORTED_STATEMENT)}…` : statement;
    let key = `${rule}\u0000${text}`;
    if (!this.byKey.has(key) && this.byKey.size >= MAX_DISTINCT_FINDINGS) key = `${rule}\u0000(further distinct statements)`;
    let finding = this.byKey.get(key);
    if (!finding) {
      finding = {
        engine,
        rule,
        condition: PINNING_CONDITIONS[rule],
        statement: key.slice(rule.length + 1),
        count: 0,
        connectionIds: new Set(),
        firstClient: client,
      };
      this.byKey.set(key, finding);
      const { connectionIds: _ids, ...first } = finding;
      this.options.onFinding?.({ ...first, count: 1, connections: 1 });
    }
    finding.count++;
    finding.connectionIds.add(connectionId);
  }
}
