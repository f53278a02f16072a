// Worker-thread entry: registers tsx, then loads the TypeScript planner (as campaign-worker.mjs does).
import { register } from 'tsx/esm/api';

register();
await import('./campaign-plan-worker.ts');
