/**
 * Last-resort teardown of local-stack processes when the Node process ends without calling `stop()`
 * (a failing test run, Ctrl-C, an uncaught exception). Each registered action must be synchronous:
 * the `exit` event does not wait for promises.
 */
const actions = new Set<() => void>();
const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;

function runAll(): void {
  for (const action of [...actions]) {
    actions.delete(action);
    try {
      action();
    } catch {
      // best effort: the process is ending anyway
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  uninstall();
  // Re-raise so the default behaviour (exit with 128 + signal) still happens once our handler is gone.
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const signal of signals) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.removeListener('exit', runAll);
  for (const signal of signals) process.removeListener(signal, onSignal);
}

/** Registers a synchronous teardown; returns a function that unregisters it (call after a clean stop). */
export function registerExitCleanup(action: () => void): () => void {
  actions.add(action);
  install();
  return () => {
    actions.delete(action);
    if (actions.size === 0) uninstall();
  };
}
