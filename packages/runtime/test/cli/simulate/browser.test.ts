import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeAssembly, writeBufferedStack } from './assembly-fixture';
import { decodePng } from './png-pixels';
import { eda } from '../cli-fixture';

/*
 * EDA-16: the generated page in a real browser. Debian's Chromium (scripts/install-system-deps.sh) renders it
 * headless: the screenshot must not be blank and the DOM must hold one chart per series with named lines.
 */
const CHROMIUM = process.env.EDA_CHROMIUM ?? '/usr/bin/chromium';
const run = promisify(execFile);
const CHARTS = ['concurrency', 'throttles', 'queue-depth', 'oldest-message-age', 'dead-letter-messages', 'proxy-connections'];

function chromium(args: string[]) {
  if (!existsSync(CHROMIUM)) throw new Error('missing system package chromium: run \'apt-get install -y chromium\' (or: bash scripts/install-system-deps.sh)');
  // Root (CI containers) needs --no-sandbox; the page runs no script and fetches nothing.
  return run(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', ...args], { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 });
}

let page: string;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eda-simulate-browser-'));
  const assembly = writeAssembly('Shop', writeBufferedStack({ readerReserved: 50 }));
  const result = await eda(['simulate', '--assembly', assembly, '--stack', 'Shop', '--scenario', 'outage', '--outage', '5m', '--out', dir]);
  if (result.code !== 0) throw new Error(result.stderr);
  page = `file://${join(dir, 'index.html')}`;
}, 60_000);

describe('GIVEN the page eda simulate wrote WHEN headless Chromium opens it', () => {
  test('THEN the screenshot is not blank: text, axes and coloured lines', async () => {
    const png = join(dir, 'page.png');
    await chromium(['--window-size=1000,2400', `--screenshot=${png}`, page]);
    const image = decodePng(readFileSync(png));
    let nonWhite = 0;
    let coloured = 0;
    for (let y = 0; y < image.height; y += 2) {
      for (let x = 0; x < image.width; x += 2) {
        const [r, g, b] = image.pixel(x, y);
        if (r < 240 || g < 240 || b < 240) nonWhite++;
        if (Math.max(r, g, b) - Math.min(r, g, b) > 80) coloured++;
      }
    }
    const sampled = Math.ceil(image.height / 2) * Math.ceil(image.width / 2);
    expect({ width: image.width, height: image.height }).toEqual({ width: 1000, height: 2400 });
    // Text, axes and shaded outages: well above a blank page's 0; coloured pixels only come from the series and bands.
    expect(nonWhite / sampled).toBeGreaterThan(0.02);
    expect(coloured).toBeGreaterThan(500);
  }, 120_000);

  test('THEN the DOM holds one <svg> per series, each with its named lines', async () => {
    const { stdout: dom } = await chromium(['--dump-dom', page]);
    const charts = [...dom.matchAll(/<svg[^>]*data-chart="([^"]+)"[\s\S]*?<\/svg>/g)];
    expect(charts.map((c) => c[1])).toEqual(CHARTS);
    const lines = (id: string) => [...charts.find((c) => c[1] === id)![0].matchAll(/<polyline data-series="([^"]+)"[^>]* points="([^"]+)"/g)]
      .map((m) => ({ name: m[1], points: m[2].split(' ').length }));
    expect(lines('concurrency').map((l) => l.name)).toEqual(['Writer', 'Writer reserved', 'Producer', 'Producer reserved', 'Reader', 'Reader reserved']);
    expect(lines('queue-depth').map((l) => l.name)).toEqual(['Queue visible', 'Queue not visible']);
    expect(lines('dead-letter-messages').map((l) => l.name)).toEqual(['Queue → DLQ']);
    for (const id of CHARTS) {
      for (const line of lines(id)) expect(line.points).toBeGreaterThan(100);
    }
    expect(dom).toContain('database down');
  }, 120_000);
});
