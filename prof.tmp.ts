import { readTopology } from './packages/runtime/src/cli/simulate/assembly-reader';
import { builtInScenario } from './packages/runtime/src/cli/simulate/scenario';
import { simulate } from './packages/runtime/src/cli/simulate/step-model';
const topo = readTopology('/tmp/sim-orders', 'OrdersApi');
for (let i = 0; i < 2; i++) {
const t0 = Date.now();
const r = simulate(topo, builtInScenario('outage', { rate: 100, outageSeconds: 3480 }));
console.log('ms', Date.now() - t0, 'seconds', r.seconds);
}
