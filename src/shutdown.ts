/**
 * Graceful shutdown on SIGTERM/SIGINT: stop accepting connections, end what never finishes by itself
 * (subscriptions), let the requests in flight finish within a grace period, then close the rest of the
 * process (event consumers, stores, the emulator) and exit: 0 when every request finished, 1 when the grace
 * period cut some off. Whatever needs closing registers here instead of growing the signal handler.
 */
import type { Server } from 'node:http';
import { closeGracefully } from './http-server.js';

type Step = () => Promise<void> | void;

interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface Shutdown {
  /**
   * Runs as soon as the server stops accepting, while requests drain: for long-lived streams such as
   * subscriptions, which must end for the drain to finish.
   */
  onStop(step: Step): void;
  /** Runs after the HTTP server drained (or the grace period ran out), in reverse order of registration. */
  onClose(step: Step): void;
  /** Shuts down once (later calls get the same outcome) and resolves the exit code. */
  run(reason: string): Promise<number>;
}

export function createShutdown(options: { server: Server; graceMs: number; logger: Logger }): Shutdown {
  const { server, graceMs, logger } = options;
  const stopping: Step[] = [];
  const closing: Step[] = [];
  let outcome: Promise<number> | null = null;

  const runAll = async (steps: readonly Step[], phase: string): Promise<boolean> => {
    const results = await Promise.allSettled(steps.map(async (step) => step()));
    const failed = results.filter((result) => result.status === 'rejected');
    for (const failure of failed) {
      const reason = (failure as PromiseRejectedResult).reason;
      logger.error(`shutdown: ${phase} failed: ${reason instanceof Error ? reason.message : String(reason)}`);
    }
    return failed.length === 0;
  };

  const shutdown = async (reason: string): Promise<number> => {
    const drain = closeGracefully(server, graceMs);
    // Logged once the listening socket is closed: whoever reads this line can no longer connect.
    logger.info(`${reason}: shutting down; requests in flight have ${graceMs} ms to finish`);
    const stopped = await runAll(stopping, 'stopping streams');
    const { drained, cut } = await drain;
    if (!drained) logger.warn(`shutdown: the grace period ran out; ${cut} request(s) cut off`);
    // Closed one after another, last registered first: what was opened last may depend on what came before.
    let closed = true;
    for (const step of [...closing].reverse()) closed = (await runAll([step], 'closing')) && closed;
    logger.info('shutdown: done');
    return drained && stopped && closed ? 0 : 1;
  };

  return {
    onStop: (step) => void stopping.push(step),
    onClose: (step) => void closing.push(step),
    run(reason) {
      outcome ??= shutdown(reason);
      return outcome;
    },
  };
}
