import { SingleFlight } from '../../src/cache';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

describe('SingleFlight', () => {
  test('concurrent calls for one key run the work once and share its result', async () => {
    const flights = new SingleFlight<string>();
    const gate = deferred<string>();
    const work = jest.fn(() => gate.promise);

    const calls = Array.from({ length: 50 }, () => flights.run('k', work));
    gate.resolve('value');

    await expect(Promise.all(calls)).resolves.toEqual(Array(50).fill('value'));
    expect(work).toHaveBeenCalledTimes(1);
  });

  test('calls for different keys run independently', async () => {
    const flights = new SingleFlight<string>();
    const work = jest.fn(async () => 'v');

    await Promise.all([flights.run('a', work), flights.run('b', work)]);

    expect(work).toHaveBeenCalledTimes(2);
  });

  test('a call after the previous one settled runs the work again', async () => {
    const flights = new SingleFlight<number>();
    let runs = 0;

    await flights.run('k', async () => ++runs);
    await flights.run('k', async () => ++runs);

    expect(runs).toBe(2);
    expect(flights.size).toBe(0);
  });

  test('a failure reaches every joined caller and is not kept', async () => {
    const flights = new SingleFlight<string>();
    const gate = deferred<string>();

    const calls = [flights.run('k', () => gate.promise), flights.run('k', () => gate.promise)];
    gate.reject(new Error('database down'));

    for (const call of calls) await expect(call).rejects.toThrow('database down');
    await expect(flights.run('k', async () => 'recovered')).resolves.toBe('recovered');
  });

  test('after forget, new callers start a fresh call while the old one still completes', async () => {
    const flights = new SingleFlight<string>();
    const old = deferred<string>();

    const first = flights.run('k', () => old.promise);
    flights.forget('k');
    const second = flights.run('k', async () => 'new');
    old.resolve('old');

    await expect(first).resolves.toBe('old');
    await expect(second).resolves.toBe('new');
    expect(flights.size).toBe(0);
  });
});
