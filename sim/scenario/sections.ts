import type { z } from 'zod';
import { Msgin5gSection } from './types/msgin5g.ts';
import { IMS_SECTION } from './types/ims.ts';
import { EMULATE_SECTION } from './types/emulate.ts';

/**
 * Domain-wide top-level sections of a scenario file (e.g. `ims:` with the home network's MCC/MNC and
 * the implicit registration set size, which every IMS node needs). Each domain registers its
 * section's schema here; nodes read the validated value through BuildEnv.section(name).
 */
export const SECTIONS: Record<string, z.ZodType> = { msgin5g: Msgin5gSection, ims: IMS_SECTION, emulate: EMULATE_SECTION };
