import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { findFreePort } from '../../../local/src/free-port';
import { requireSystemBinary } from '../../../local/src/system-command';

/** A throwaway redis-server (Debian package redis-server) on 127.0.0.1, no persistence. */
export interface RedisServer {
  readonly port: number;
  stop(): Promise<void>;
}

const REDIS_SERVER = process.env.EDA_REDIS_SERVER ?? '/usr/bin/redis-server';

/**
 * Starts redis-server on a free port of 127.0.0.1 and waits (bounded) until it answers PING.
 * With `cluster`, it runs in cluster mode with all 16384 slots assigned to itself, so clients see the
 * same protocol as ElastiCache Serverless (CLUSTER SLOTS, CROSSSLOT errors).
 */
export async function startRedisServer(options: { cluster?: boolean } = {}): Promise<RedisServer> {
  requireSystemBinary(REDIS_SERVER, 'redis-server', 'EDA_REDIS_SERVER');
  const port = await findFreePort();
  const dir = mkdtempSync(join(tmpdir(), 'eda-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  // Without an announced IP, CLUSTER SLOTS names the node "" and cluster clients cannot follow it.
  if (options.cluster) args.push('--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-announce-ip', '127.0.0.1');
  const child: ChildProcess = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => { exited = true; });
  child.once('error', () => { exited = true; });

  await waitFor(() => pingOnce(port), () => exited, `${REDIS_SERVER} on port ${port} did not answer PING (is the Debian package redis-server installed?)`);
  const probe = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    if (options.cluster) {
      await probe.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
      await waitFor(async () => String(await probe.call('CLUSTER', 'INFO')).includes('cluster_state:ok'), () => exited, 'cluster did not reach state ok');
    }
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    probe.disconnect();
  }

  return {
    port,
    stop: async () => {
      if (!exited) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([gone, new Promise((resolve) => { timer = setTimeout(resolve, 5000); })]);
        clearTimeout(timer);
        if (!exited) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every 50 ms for at most 10 s. */
async function waitFor(check: () => Promise<boolean>, failed: () => boolean, message: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (failed()) throw new Error(`${message}: the process exited`);
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${message} within 10 s`);
}

async function pingOnce(port: number): Promise<boolean> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Disconnects clients and waits (at most 3 s) until their sockets are closed, so Jest exits cleanly. */
export async function closeClients(clients: ReadonlyArray<{ status: string; disconnect(): void; once(event: 'end', listener: () => void): unknown }>): Promise<void> {
  await Promise.all(clients.map(async (client) => {
    if (client.status === 'end') return;
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    client.disconnect();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ended, new Promise((resolve) => { timer = setTimeout(resolve, 3000); })]);
    clearTimeout(timer);
  }));
}
