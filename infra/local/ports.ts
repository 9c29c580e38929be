import net from 'node:net';

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** Why nothing can listen on this port and host (in use, not an address of this machine, …), or undefined. */
export function portProblem(port: number, host = '127.0.0.1'): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(`port ${port} on ${host} is in use (another Atelier, or another program)`);
      else if (error.code === 'EADDRNOTAVAIL') resolve(`${host} is not an address of this machine`);
      else if (error.code === 'EACCES') resolve(`port ${port} needs privileges this user lacks (ports below 1024)`);
      else resolve(`cannot listen on ${host}:${port} (${error.code ?? error.message})`);
    });
    server.listen(port, host, () => server.close(() => resolve(undefined)));
  });
}

export async function freePort(preferred?: number, host = '127.0.0.1'): Promise<number> {
  if (preferred && (await isPortFree(preferred, host))) return preferred;
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Waits until something listens; `gaveUp` may end the wait early with a reason (the process meant to listen died). */
export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 60_000, gaveUp: () => string | undefined = () => undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reason = gaveUp();
    if (reason) throw new Error(reason);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, host, () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs / 1000} s`);
}
