import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/*
 * EDA-17: stack traces of the published package pointed at src/*.ts, which it does not ship: the build's
 * inline source maps (jsii's default) named ../src/<file>.ts. The build now emits no source maps, so a trace
 * names the lib/*.js line that ran. This test holds the package to it: whatever the build emits, every
 * source-map reference in a packed file must resolve to a file in the same package.
 */

const ROOT = path.join(__dirname, '..', '..');

/** The files `npm pack` puts in the tarball (from .npmignore), as package-relative paths. */
function packedFiles(): Set<string> {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return new Set((JSON.parse(out)[0].files as { path: string }[]).map((f) => f.path));
}

/** The package-relative files a JavaScript file's source map refers to that are not in `packed`. */
function danglingReferences(jsFile: string, text: string, packed: Set<string>): string[] {
  const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
  if (!url) return [];
  const dir = path.posix.dirname(jsFile);
  let map: { sources: string[]; sourceRoot?: string };
  const missing: string[] = [];
  if (url.startsWith('data:')) {
    map = JSON.parse(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64').toString('utf8'));
  } else {
    const mapFile = path.posix.normalize(path.posix.join(dir, url));
    if (!packed.has(mapFile)) return [mapFile];
    map = JSON.parse(fs.readFileSync(path.join(ROOT, mapFile), 'utf8'));
  }
  for (const source of map.sources) {
    const file = path.posix.normalize(path.posix.join(dir, map.sourceRoot ?? '', source));
    if (!packed.has(file)) missing.push(file);
  }
  return missing;
}

describe('the packed package', () => {
  const packed = packedFiles();

  test('the detector finds the reference EDA-17 reported (an inline map naming ../src/*.ts that is not packed)', () => {
    const inline = Buffer.from(JSON.stringify({ version: 3, sources: ['../src/index.ts'], mappings: '' })).toString('base64');
    expect(danglingReferences('lib/index.js', `"use strict";\n//# sourceMappingURL=data:application/json;base64,${inline}`, packed)).toEqual(['src/index.ts']);
  });

  test('what the build emits for src/ has no source-map reference outside the package', () => {
    // GIVEN the compiler options jsii builds lib/ with (tsconfig.json, rootDir src → outDir lib)
    const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const sources = config.fileNames.filter((f) => !f.endsWith('.d.ts'));
    expect(sources.length).toBeGreaterThan(50);
    // WHEN each source is transpiled as the build would
    const dangling = sources.flatMap((file) => {
      const relative = path.relative(path.join(ROOT, 'src'), file).replace(/\.ts$/, '.js').split(path.sep).join('/');
      const output = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: config.options, fileName: file }).outputText;
      return danglingReferences(`lib/${relative}`, output, packed);
    });
    // AND whatever a build already put into lib/ (after `npx projen build`; a fresh checkout packs no lib/*.js)
    const built = [...packed].filter((f) => f.startsWith('lib/') && f.endsWith('.js'))
      .flatMap((f) => danglingReferences(f, fs.readFileSync(path.join(ROOT, f), 'utf8'), packed));
    // THEN nothing points at a file the tarball does not have
    expect([...dangling, ...built]).toEqual([]);
  });
});
