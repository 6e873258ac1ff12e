import { execFileSync } from 'child_process';
import * as path from 'path';
import * as cdkNag from 'cdk-nag';
import { ElasticDataAccessChecks } from '../../src/checks';
import { NagMessageLevel, NagPack, NagRuleCompliance } from '../../src/checks/nag-api';

const root = path.resolve(__dirname, '..', '..');

/** The cdk-nag files (relative to the package) a fresh Node process has loaded after requiring `entry`. */
function cdkNagFilesLoadedBy(entry: string): string[] {
  const script = `require(${JSON.stringify(entry)});
    const files = Object.keys(require.cache).filter((f) => f.includes('/node_modules/cdk-nag/'));
    process.stdout.write(JSON.stringify(files.map((f) => f.replace(/^.*\\/node_modules\\/cdk-nag\\//, ''))));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out);
}

describe('nag-api: the part of cdk-nag the pack uses', () => {
  test('importing the library loads cdk-nag\'s pack base and rule enums only, none of its packs or rules', () => {
    // WHEN
    const loaded = cdkNagFilesLoadedBy('./src');
    // THEN
    expect(loaded.sort()).toEqual(['lib/nag-pack.js', 'lib/nag-rules.js']);
  });

  test('is the very NagPack, NagRuleCompliance and NagMessageLevel that cdk-nag exports', () => {
    // THEN
    expect(NagPack).toBe(cdkNag.NagPack);
    expect(NagRuleCompliance).toBe(cdkNag.NagRuleCompliance);
    expect(NagMessageLevel).toBe(cdkNag.NagMessageLevel);
    expect(new ElasticDataAccessChecks()).toBeInstanceOf(cdkNag.NagPack);
  });
});
