// Runs `podreach watch` as a child process and follows what it prints: stdout lines (JSON), stderr, the health URL.
import { spawn, type ChildProcess } from 'node:child_process';

export interface WatchProcess {
  child: ChildProcess;
  /** Parsed stdout lines so far. */
  lines: unknown[];
  stderr(): string;
  /** Resolves once `count` stdout lines arrived (rejects after timeoutMs, naming what arrived). */
  waitForLines(count: number, timeoutMs?: number): Promise<unknown[]>;
  /** Resolves once stderr matches. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The /healthz and /readyz base URL, once printed. */
  healthUrl(): Promise<string>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export function startWatch(args: string[], env: NodeJS.ProcessEnv = {}): WatchProcess {
  const child = spawn(process.execPath, ['bin/podreach.js', 'watch', ...args], {
    env: { ...process.env, SLACK_WEBHOOK_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: unknown[] = [];
  let stdoutBuffer = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  child.stdout?.on('data', (chunk: Buffer) => {
    stdoutBuffer += chunk.toString('utf8');
    let newline = stdoutBuffer.indexOf('\n');
    while (newline >= 0) {
      const line = stdoutBuffer.slice(0, newline).trim();
      stdoutBuffer = stdoutBuffer.slice(newline + 1);
      if (line) {
        try {
          lines.push(JSON.parse(line));
        } catch {
          lines.push(line);
        }
      }
      newline = stdoutBuffer.indexOf('\n');
    }
    notify();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    notify();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  exited.then(notify, notify);

  const waitFor = <T>(check: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> =>
    new Promise((resolve, reject) => {
      const attempt = () => {
        const value = check();
        if (value !== undefined) {
          cleanup();
          resolve(value);
        } else if (child.exitCode !== null) {
          cleanup();
          reject(new Error(`podreach watch exited (${child.exitCode}) before ${what()}\nstderr:\n${stderr}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what()}\nstdout lines: ${JSON.stringify(lines)}\nstderr:\n${stderr}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(attempt);
      };
      listeners.add(attempt);
      attempt();
    });

  return {
    child,
    lines,
    stderr: () => stderr,
    waitForLines: (count, timeoutMs = 30_000) => waitFor(() => (lines.length >= count ? lines.slice(0, count) : undefined), timeoutMs, () => `${count} stdout lines (have ${lines.length})`),
    waitForLog: (pattern, timeoutMs = 30_000) => waitFor(() => stderr.match(pattern) ?? undefined, timeoutMs, () => `stderr matching ${pattern}`),
    healthUrl: async () => (await waitFor(() => stderr.match(/health on (http:\/\/\S+) /) ?? undefined, 30_000, () => 'the health URL'))[1] ?? '',
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    exited,
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
