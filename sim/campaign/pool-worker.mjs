// Worker-thread entry: Node 20 does not apply --import loaders to a .ts worker entry, so this JS
// shim registers tsx and then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./pool-worker.ts');
