/**
 * A benchmark server in a child process (servers.ts): start it, learn its port, stop it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./servers.ts', import.meta.url));

/** A running server child. */
export interface ServerProcess {
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Start `kind` (see servers.ts) and resolve once it listens. */
export async function startServer(kind: string, nodeArgs: readonly string[] = []): Promise<ServerProcess> {
  const conditions = process.execArgv.filter((a) => a.startsWith('--conditions'));
  const child = spawn(process.execPath, [...conditions, ...nodeArgs, '--import', 'tsx', script, kind], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buf = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve((JSON.parse(buf.slice(0, nl)) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`server ${kind} exited with ${code} before listening`)));
  });
  return {
    port,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
