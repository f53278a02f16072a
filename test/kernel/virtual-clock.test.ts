// The Clock conformance suite on virtual time: the Simulator, where a callback sees exactly its due time.
import { Simulator } from '../../sim/kernel/simulator.ts';
import { clockConformance } from './clock-conformance.ts';

clockConformance('Simulator', () => {
  const sim = new Simulator(1);
  return {
    clock: sim,
    run: async () => {
      sim.run();
    },
    tolerance: 0,
  };
});
