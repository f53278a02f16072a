import type { FailureCause } from './causes.ts';

/**
 * The information elements of TS 23.554's tables, as RegLab's structured messages carry them. Every
 * IE of a table is a field here, and nothing else is: what the JSON on the wire holds is exactly
 * this (docs/msgin5g.md lists the IEs table by table with their JSON names).
 *
 * Optional fields are `undefined` when absent. A received message may lack mandatory IEs: the types
 * allow it, so the server can answer with the right error instead of crashing.
 */

/** Table 8.2.1-2 (MSGin5G Client Triggering Information) as RegLab reads its description [I]. */
export interface TriggeringInfo {
  /** UE Identifier (MSISDN or external ID) used for device triggering. */
  ueIdentifier?: string;
  /** Port number(s). */
  ports?: number[];
  /** Associated protocol, e.g. SMS, NIDD. */
  protocol?: string;
}

/** Table 8.2.1-3 (MSGin5G Client Communication Availability) as RegLab reads its description [I]. */
export interface CommunicationAvailability {
  /** Period of the client's application-level schedule, in seconds. */
  periodicity?: number;
  /** How long the client is reachable in each period, in seconds. */
  duration?: number;
}

/** MSGin5G Client Profile (O in Table 8.2.3-1 / 8.2.1-1): a set of optional sub-IEs. */
export interface ClientProfile {
  triggeringInfo?: TriggeringInfo;
  communicationAvailability?: CommunicationAvailability;
  /** MSGin5G Client Supported Maximum MSGin5G segment size (bytes). */
  maxSegmentSize?: number;
}

/** Table 8.2.3-1, Non-MSGin5G UE registration request: one entry (also one element of Table 8.2.X-1's list). */
export interface RegistrationEntry {
  /** UE Service ID (M). */
  ueServiceId?: string;
  /** UE credential information (M; REFERENCE.md §4: mandatory in later releases) [R]. */
  ueCredential?: string;
  /** MSGin5G Client Profile (O). */
  clientProfile?: ClientProfile;
}

/** Table 8.2.4-1, Non-MSGin5G UE de-registration request (also one element of a bulk de-registration list). */
export interface DeregistrationEntry {
  /** UE Service ID (M). */
  ueServiceId?: string;
}

export type Result = 'SUCCESS' | 'FAILURE';

/** Table 8.2.1-4, registration response (also one element of Table 8.2.X-2's list). */
export interface RegistrationResultEntry {
  ueServiceId?: string;
  registrationResult?: Result;
  failureCause?: FailureCause | string;
}

/** Table 8.2.4-2, Non-MSGin5G UE de-registration response. */
export interface DeregistrationResultEntry {
  ueServiceId?: string;
  deregistrationResult?: Result;
  failureCause?: FailureCause | string;
}

/** Table 8.2.X-1, bulk registration request. */
export interface BulkRegistrationBody {
  bulkRegistrationIndicator?: boolean;
  numberOfRequests?: number;
  requests?: RegistrationEntry[];
}

/** Table 8.2.X-2, bulk registration response. */
export interface BulkRegistrationResultBody {
  bulkRegistrationResponseIndicator?: boolean;
  numberOfResponses?: number;
  responses?: RegistrationResultEntry[];
}

/** Bulk de-registration request: "built the same way" as Table 8.2.X-1 (the seed defines no table) [I]. */
export interface BulkDeregistrationBody {
  bulkDeregistrationIndicator?: boolean;
  numberOfRequests?: number;
  requests?: DeregistrationEntry[];
}

/** Bulk de-registration response, built as Table 8.2.X-2 [I]. */
export interface BulkDeregistrationResultBody {
  bulkDeregistrationResponseIndicator?: boolean;
  numberOfResponses?: number;
  responses?: DeregistrationResultEntry[];
}

/** The body of a whole-request error (RFC 9457 problem details, as TS 29.500 uses them, with our cause). */
export interface ProblemBody {
  status: number;
  cause: FailureCause | string;
  detail?: string;
}

/** The two operations a Message Gateway performs for a UE. */
export const REG = 0;
export const DEREG = 1;
export type Op = typeof REG | typeof DEREG;

export const PROCEDURE = ['msgin5g-registration', 'msgin5g-deregistration'] as const;
