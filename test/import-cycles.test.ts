import * as fs from 'fs';
import * as path from 'path';

/*
 * EDA-17: no import cycles inside src/ (src/budget's evaluation ↔ ledger ↔ budget and src/database's
 * sources ↔ source-validation were two). Type-only imports count too: a cycle of types is still a tangle a
 * reader has to untie, and one `import type` turned into a value import makes it a load-order bug.
 */

const SRC = path.join(__dirname, '..', 'src');

/** Every relative import (and re-export) of every .ts file under `root`, resolved to a file. */
function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.ts')) graph.set(file, importsOf(file));
    }
  };
  walk(root);
  return graph;
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const targets: string[] = [];
  for (const match of text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.[^']+)'/gms)) {
    const base = path.join(path.dirname(file), match[1]);
    const resolved = [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => fs.existsSync(candidate));
    if (resolved) targets.push(resolved);
  }
  return targets;
}

/** The strongly connected components with more than one file (Tarjan), as paths relative to src/. */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(path.relative(SRC, member));
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

test('the detector finds a cycle of two files', () => {
  const graph = new Map([[path.join(SRC, 'a.ts'), [path.join(SRC, 'b.ts')]], [path.join(SRC, 'b.ts'), [path.join(SRC, 'a.ts')]]]);
  expect(cycles(graph)).toEqual([['a.ts', 'b.ts']]);
});

test('no module of src/ imports itself through others', () => {
  const graph = importGraph(SRC);
  expect(graph.size).toBeGreaterThan(50);
  expect(cycles(graph)).toEqual([]);
});
