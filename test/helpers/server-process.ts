/**
 * mailgraph as a real child process (`node --import tsx src/server.ts`), for tests of what only a process
 * shows: signals, exit codes, connections refused after shutdown.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from './ports.js';

export interface ServerProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `<origin>/graphql` */
  url: string;
  port: number;
  /** Resolves with the first log line (stdout or stderr) that matches. */
  logged(pattern: RegExp): Promise<string>;
  exited: Promise<number | null>;
}

/** `compiled`: run `dist/server.js` as `npm start` does (the bench), instead of `src/` through tsx. */
export async function startServerProcess(
  env: Record<string, string>,
  options: { compiled?: boolean } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const entry = options.compiled ? ['dist/server.js'] : ['--import', 'tsx', 'src/server.ts'];
  const child = spawn(process.execPath, entry, {
    env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners: Array<() => void> = [];
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const logged = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = output.split('\n').find((candidate) => pattern.test(candidate));
        if (line) resolve(line);
      };
      listeners.push(check);
      check();
      void exited.then(() => {
        check();
        reject(new Error(`server exited before logging ${pattern}: ${output}`));
      });
    });
  const origin = `http://127.0.0.1:${port}`;
  const running = { child, origin, url: `${origin}/graphql`, port, logged, exited };
  await logged(/mailgraph listening on/);
  return running;
}
