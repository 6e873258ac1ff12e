import { join } from 'node:path';
import { LocalFunction } from '../src/local-function';

// Lambda gives the runtime an absolute deadline (Lambda-Runtime-Deadline-Ms): time an event spends reaching the
// handler counts against the function timeout. The emulator must do the same, or a writer that keeps its time
// budget is still killed on a loaded machine.
let fn: LocalFunction | undefined;

afterAll(async () => {
  await fn?.close();
});

test('the context\'s remaining time counts from when the invocation started, not from when the environment read it', async () => {
  // GIVEN one environment and a 5 s timeout
  fn = new LocalFunction({ handlerModule: join(__dirname, 'fixtures', 'deadline-handler.ts'), timeoutMs: 5_000, maxEnvironments: 1 });
  const first = await fn.invoke({ busyAfterMs: 800 }) as { remainingMs: number };
  // WHEN the next event waits ~800 ms for the busy environment
  const second = await fn.invoke({}) as { remainingMs: number };
  // THEN the handler sees that time gone
  expect(first.remainingMs).toBeLessThanOrEqual(5_000);
  expect(second.remainingMs).toBeLessThanOrEqual(4_300);
  expect(second.remainingMs).toBeGreaterThan(3_000);
});
