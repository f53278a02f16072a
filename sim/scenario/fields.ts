import { z } from 'zod';
import {
  parseDuration,
  parseBandwidth,
  parseRate,
  parseProbability,
  DURATION_HELP,
  BANDWIDTH_HELP,
  RATE_HELP,
  PROBABILITY_HELP,
} from './units.ts';

/**
 * Schema building blocks for values with units. Each reads the scenario's text form and yields the
 * kernel's unit (ns, bit/s, 1/s, probability); a value that does not parse is reported with what is
 * allowed. Domain modules use these for their node parameters too.
 */
function unitField(kind: string, parse: (v: unknown) => number | undefined, help: string, example: string) {
  return z
    .union([z.string(), z.number()])
    // On the inner union too: a field's own .meta() replaces the outer description, not this one.
    .meta({ description: `${kind}: ${help}` })
    .transform((v, ctx) => {
      const x = parse(v);
      if (x === undefined) {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not ${kind} — use ${help}` });
        return z.NEVER;
      }
      return x;
    })
    .meta({ description: `${kind}: ${help}`, examples: [example] });
}

/** Integer nanoseconds from '5ms', '2s', … */
export const Duration = unitField('a duration', parseDuration, DURATION_HELP, '5ms');
/** Bits per second from '10kbit/s' … or Infinity from 'unlimited'. */
export const Bandwidth = unitField('a bandwidth', parseBandwidth, BANDWIDTH_HELP, '1Gbit/s');
/** Events per second from '100/s' … */
export const Rate = unitField('a rate', parseRate, RATE_HELP, '100/s');
/** A probability in [0, 1] from 0.05 or '5%'. */
export const Probability = unitField('a probability', parseProbability, PROBABILITY_HELP, '5%');

/** A node id: starts with a letter; letters, digits, '-', '_', '.'. */
export const NodeId = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, "a node id starts with a letter and has only letters, digits, '-', '_' and '.'")
  .meta({ description: 'id of a node declared in nodes' });

/** Counts are ids and array lengths: 32-bit at most (issue 11 item 3: `count: 1e15` was a RangeError). */
export const MAX_COUNT = 2 ** 31 - 1;
export const Count = z.number().int().min(0).max(MAX_COUNT);
export const PositiveCount = z.number().int().min(1).max(MAX_COUNT);

/**
 * A unit field with a purpose of its own: the description says what the field is for and keeps the
 * unit help, so editors still show how to write it ('5ms', '2s').
 */
export function withPurpose<T extends z.ZodType>(field: T, purpose: string): T {
  const help = (z.globalRegistry.get(field) as { description?: string } | undefined)?.description;
  return field.meta({ description: help ? `${purpose} — ${help}` : purpose }) as T;
}
