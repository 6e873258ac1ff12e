import { createServer, connect, Server, Socket } from 'net';

/**
 * A TCP forwarder on 127.0.0.1 that counts the connections clients open to a server: the observable
 * "connection attempt" of a database client, whatever the client library does above the socket.
 */
export class ConnectionCounter {
  /** Starts forwarding a free port on 127.0.0.1 to `targetHost:targetPort`. */
  public static async start(targetHost: string, targetPort: number): Promise<ConnectionCounter> {
    const sockets = new Set<Socket>();
    const counter = new ConnectionCounter(createServer((client) => {
      counter.accepted++;
      const upstream = connect(targetPort, targetHost);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        // A refused or reset side ends the other: the client sees a dropped connection, as without the forwarder.
        socket.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream).pipe(client);
    }), sockets);
    await new Promise<void>((resolve, reject) => {
      counter.server.once('error', reject);
      counter.server.listen(0, '127.0.0.1', resolve);
    });
    return counter;
  }

  /** Connections accepted since the start. */
  public accepted = 0;

  private constructor(private readonly server: Server, private readonly sockets: Set<Socket>) {}

  /** The port clients connect to. */
  public get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('connection counter is not listening');
    return address.port;
  }

  /** Stops listening and drops every forwarded connection. */
  public async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
