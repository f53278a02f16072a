// Worker-thread entry: Node 20 does not apply --import loaders to a .ts worker entry, so this JS
// shim registers tsx and then loads the TypeScript worker (as sim/scenario/job-worker.mjs does).
import { register } from 'tsx/esm/api';

register();
await import('./campaign-worker.ts');
