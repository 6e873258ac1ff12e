import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAssembly, writeBufferedStack } from './assembly-fixture';
import { parseDuration } from '../../../src/cli/simulate/duration';
import { eda } from '../cli-fixture';

const out = () => mkdtempSync(join(tmpdir(), 'eda-simulate-out-'));
const assembly = writeAssembly('Shop', writeBufferedStack({ readerReserved: 50 }));
const base = ['simulate', '--assembly', assembly, '--stack', 'Shop'];

describe('eda simulate', () => {
  test('writes summary.json and index.html and prints a short table', async () => {
    const dir = out();
    const result = await eda([...base, '--scenario', 'outage', '--outage', '5m', '--rate', '50', '--out', dir]);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    for (const key of ['deadLetterMessages', 'maxOldestMessageAgeSeconds', 'throttles', 'maxQueueDepth', 'maxProxyConnections', 'proxyPoolSize', 'drainSeconds']) {
      expect(typeof summary[key]).toBe('number');
    }
    expect(summary).toMatchObject({ stack: 'Shop', scenario: 'outage', scenarioSeconds: 420, deadLetterMessages: 0, drained: true });
    expect(summary.maxQueueDepth).toBeGreaterThanOrEqual(50 * 300);
    expect(summary.functions.Reader).toMatchObject({ concurrencyLimit: 50, throttles: 0 });
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('data-chart="queue-depth"');
    expect(result.stdout).toContain('dead-letter messages');
    expect(result.stdout).toMatch(/Reader\s+5\s+50\s+0\s+21000/);
  });

  test('exits 1 naming each broken expectation, 0 when all hold', async () => {
    const spike = [...base, '--scenario', 'spike', '--rate', '100', '--spike', '20', '--for', '90s', '--out', out()];
    const broken = await eda([...spike, '--expect', 'deadLetterMessages==0', '--expect', 'throttles==0', '--expect', 'functions.Reader.peakConcurrency<10']);
    const holding = await eda([...spike, '--expect', 'throttles>0', '--expect', 'functions.Reader.peakConcurrency==50', '--expect', 'drainSeconds>=0']);

    expect(broken.code).toBe(1);
    expect(broken.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^expectation throttles==0 is broken: throttles is [1-9]\d*$/),
      'expectation functions.Reader.peakConcurrency<10 is broken: functions.Reader.peakConcurrency is 50',
    ]);
    expect(holding).toMatchObject({ code: 0, stderr: '' });
  });

  test.each([
    [['--stack', 'Nope'], 'eda simulate: unknown stack Nope: the assembly '],
    [['--for', '10'], 'eda simulate: --for must be a duration such as 90s, 10m or 1h, got "10"'],
    [['--expect', 'throttles=0'], 'eda simulate: --expect "throttles=0" is not <key> <op> <number>'],
    [['--expect', 'nope>1'], 'eda simulate: --expect nope>1: nope is not a number in summary.json'],
    [['--rate', 'fast'], 'eda simulate: --rate must be a number of at least 0, got fast'],
    [['--outage', '1m'], 'eda simulate: --outage belongs to the outage scenario'],
  ])('refuses bad input %j with one line and exit code 2', async (extra, message) => {
    const args = [...base, '--scenario', 'steady', '--out', out()];
    const stack = extra.indexOf('--stack');
    if (stack >= 0) args[4] = extra[stack + 1];
    const result = await eda([...args, ...(stack >= 0 ? [] : extra)]);

    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(message);
  });

  test('writes nothing when an input is bad', async () => {
    const dir = join(out(), 'never');
    await eda([...base, '--scenario', 'steady', '--for', '1x', '--out', dir]);
    expect(existsSync(dir)).toBe(false);
  });

  test('reads a scenario file: rates over time, durations, an outage and a slow period of the database', async () => {
    const file = join(out(), 'flash-sale.json');
    writeFileSync(file, JSON.stringify({
      name: 'flash sale',
      duration: '5m',
      load: { Reader: [{ at: '0s', perSecond: 100 }, { at: '1m', perSecond: 2000 }, { at: '2m', perSecond: 100 }], Producer: 50 },
      functions: { Reader: { requestDuration: '50ms' }, Writer: { messageDuration: '20ms', batchSize: 5 } },
      database: { outages: [{ at: '3m', for: '30s' }], slow: [{ at: '1m', for: '1m', factor: 4 }] },
    }));
    const dir = out();
    const result = await eda([...base, '--scenario', file, '--out', dir, '--expect', 'functions.Reader.throttles>0', '--expect', 'deadLetterMessages==0']);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ scenario: 'flash sale', scenarioSeconds: 300 });
    // 2,000 req/s × 50 ms × 4 (slow) = 400 wanted, 50 reserved.
    expect(summary.functions.Reader.peakConcurrency).toBe(50);
    expect(summary.queues.Queue.sent).toBe(15_000);
  });

  test.each([
    [{ duration: '1m', load: { Writer: 10 } }, 'load.Writer: Writer is invoked by its event source, not by requests; entry functions: Producer, Reader'],
    [{ duration: '1m', functions: { Ghost: { requestDuration: '1s' } } }, 'functions.Ghost: no function Ghost in Shop'],
    [{ duration: '1m', database: { outages: [{ at: '1m', for: 'long' }] } }, 'database.outages[0].for must be a duration'],
    [{ duration: '1m', colour: 'red' }, 'unknown key colour'],
  ])('refuses a scenario file %j naming what is wrong', async (scenario, message) => {
    const file = join(out(), 'bad.json');
    writeFileSync(file, JSON.stringify(scenario));
    const result = await eda([...base, '--scenario', file, '--out', out()]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('durations', () => {
  test.each([['500ms', 0.5], ['90s', 90], ['10m', 600], ['1h', 3600], ['1h30m', 5400], ['1.5s', 1.5]])('%s is %d s', (text, seconds) => {
    expect(parseDuration('--for', text)).toBe(seconds);
  });
});
