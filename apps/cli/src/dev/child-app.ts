import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildApp {
  name: string;
  process: ChildProcess;
  /** Resolves with the exit code when the app ends. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Runs a built app (`dist/apps/<name>/src/main.js`) with the same Node, its output passed through. */
export function startChildApp(name: string, script: string, env: NodeJS.ProcessEnv): ChildApp {
  const child = spawn(process.execPath, ['--enable-source-maps', script], { env, stdio: 'inherit' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // If this process ends abruptly (another library's exit hook), the app still gets its SIGTERM.
  process.once('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  return {
    name,
    process: child,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Polls a URL until it answers 200 or the time is up. */
export async function waitForOk(url: string, timeoutMs: number, aborted: Promise<unknown>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let stop = false;
  void aborted.then(() => (stop = true));
  while (!stop && Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    stop ? `the app stopped before ${url} answered` : `${url} did not answer within ${timeoutMs} ms`,
  );
}
