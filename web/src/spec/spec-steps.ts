/**
 * The spec steps RegLab's rule ids name, with a short title and the clause's own sentence, so the
 * wire panel can show a student *why* a header is there. Sentences are quoted from the seed texts
 * in ../shared/specs/ (named per entry in `source`); where a rule id is RegLab's reading of a
 * neighbouring clause (TS 24.229), the sentence says so. Unknown ids render as bare ids with a note.
 */
export interface SpecStep {
  id: string;
  /** Short title: "Step 6 — Expires zero". */
  title: string;
  /** The clause's sentence (quoted), or RegLab's reading of it when `paraphrase` is set. */
  sentence: string;
  /** Where the sentence comes from. */
  source: string;
  paraphrase?: boolean;
}

const S24292 = 'TS 24.292 §6.3.6.2 (shared/specs/ts24292-6.3.6.2-msc-ics-deregistration.txt)';
const S23554_4 = 'TS 23.554 §8.2.4 (shared/specs/ts23554-8.2.4-8.2.X-msgin5g-bulk.txt)';
const S23554_X = 'TS 23.554 §8.2.X (shared/specs/ts23554-8.2.4-8.2.X-msgin5g-bulk.txt)';
const REF = 'TS 24.229, as summarised in shared/specs/REFERENCE.md §2';

const STEPS: SpecStep[] = [
  {
    id: '24.292:6.3.6.2/pre',
    title: 'Before — release the dialogs',
    sentence:
      'Prior to sending a REGISTER request for deregistration, the MSC Server enhanced for ICS shall release all IMS dialogs related to the public user identity that is going to be deregistered or to one of the implicitly registered public user identities.',
    source: S24292,
  },
  { id: '24.292:6.3.6.2/1', title: 'Step 1 — Request-URI', sentence: 'set the Request-URI to the SIP URI of the domain name of the home network used to address the REGISTER request;', source: S24292 },
  { id: '24.292:6.3.6.2/2', title: 'Step 2 — From', sentence: 'set the From header to the SIP URI that contains the public user identity to be deregistered;', source: S24292 },
  { id: '24.292:6.3.6.2/3', title: 'Step 3 — To', sentence: 'set the To header to the SIP URI that contains the public user identity to be deregistered;', source: S24292 },
  {
    id: '24.292:6.3.6.2/4',
    title: 'Step 4 — Contact with +sip.instance',
    sentence:
      'set the Contact header set to include the SIP URI containing the IP address or FQDN of the MSC Server enhanced for ICS in the hostport parameter. The MSC Server enhanced for ICS shall include a +sip.instance parameter containing the instance ID that was used during registration;',
    source: S24292,
  },
  { id: '24.292:6.3.6.2/5', title: 'Step 5 — Via sent-by', sentence: 'set the Via header to include the IP address or FQDN of the MSC Server enhanced for ICS in the sent-by field;', source: S24292 },
  { id: '24.292:6.3.6.2/6', title: 'Step 6 — Expires zero', sentence: 'set the Expires header, or the expires parameter within the Contact header, to the value of zero; and', source: S24292 },
  { id: '24.292:6.3.6.2/7', title: 'Step 7 — send as in §6.3.3', sentence: 'send the request as specified in subclause 6.3.3.', source: S24292 },
  {
    id: '24.292:6.3.6.2/on-200',
    title: 'On 200 (OK) — forget the registration',
    sentence: 'On receiving the 200 (OK) response to the REGISTER request, the MSC Server enhanced for ICS shall remove all registration details relating to this public user identity.',
    source: S24292,
  },
  {
    id: '24.292:6.3.6.2/reg-event',
    title: 'Reg-event subscription cancelled',
    sentence:
      'The MSC Server enhanced for ICS shall consider any existing subscription to the reg event package cancelled (i.e. as if the MSC Server had sent a SUBSCRIBE request with an Expires header containing a value of zero).',
    source: S24292,
  },
  {
    id: '24.229:5.3.1.2/uar-type',
    title: 'I-CSCF — UAR type DE_REGISTRATION',
    sentence: 'The I-CSCF sends a Cx UAR with User-Authorization-Type DE_REGISTRATION (1) when the expiry is zero, REGISTRATION (0) otherwise.',
    source: REF,
    paraphrase: true,
  },
  {
    id: '24.229:5.4.1.4/sar-type',
    title: 'S-CSCF — SAR USER_DEREGISTRATION',
    sentence: 'When no valid contact remains, the S-CSCF sends a Cx SAR with Server-Assignment-Type USER_DEREGISTRATION (5) or USER_DEREGISTRATION_STORE_SERVER_NAME (7).',
    source: REF,
    paraphrase: true,
  },
  {
    id: '24.229:5.4.2.1.2/notify-state',
    title: 'S-CSCF — NOTIFY terminated',
    sentence: 'The NOTIFY to reg-event watchers reports the registration and its contacts terminated (event "unregistered"); when nothing is left, Subscription-State: terminated.',
    source: REF,
    paraphrase: true,
  },
  { id: '23.554:8.2.4/1', title: 'Step 1 — gateway decides', sentence: 'The Message Gateway determines to de-register the Non-MSGin5G UE with the MSGin5G Server.', source: S23554_4 },
  {
    id: '23.554:8.2.4/2',
    title: 'Step 2 — de-registration request (Table 8.2.4-1)',
    sentence: 'The Message Gateway sends a Non-MSGin5G UE de-registration request to the MSGin5G Server that includes the UE Service ID associated with the Non-MSGin5G UE, as shown in Table 8.2.4-1.',
    source: S23554_4,
  },
  {
    id: '23.554:8.2.4/3',
    title: 'Step 3 — server deletes the UE',
    sentence:
      'Upon receiving the request, the MSGin5G Server may initiate authentication procedures with the Message Gateway on behalf of the Non-MSGin5G Client. The MSGin5G Server deletes any applicable UE Service ID and associated MSGin5G Client Profile information that it has stored.',
    source: S23554_4,
  },
  { id: '23.554:8.2.4/4', title: 'Step 4 — de-registration response (Table 8.2.4-2)', sentence: 'The MSGin5G Server replies with a Non-MSGin5G UE de-registration response as shown in table 8.2.4-2.', source: S23554_4 },
  {
    id: '23.554:8.2.X/1',
    title: 'Step 1 — can the registrations be bulked?',
    sentence:
      'The Message Gateway checks whether the Non-MSGin5G UE registrations can be bulked. If the Non-MSGin5G UE registrations cannot be bulked, the Message Gateway shall use the procedure specified in clause 8.2.3 and the rest steps in this clause shall not be used.',
    source: S23554_X,
  },
  {
    id: '23.554:8.2.X/2',
    title: 'Step 2 — bulk request (Table 8.2.x-1)',
    sentence:
      'The Message Gateway sends a Non-MSGin5G UE bulk registration request to the MSGin5G Server. The Information Elements specified in table 8.2.x-1 are included in the MSGin5G UE bulk registration request.',
    source: S23554_X,
  },
  {
    id: '23.554:8.2.X/3',
    title: 'Step 3 — server splits, authenticates, stores',
    sentence:
      'Upon receiving the Non-MSGin5G UE bulk registration request, the MSGin5G Server splits the Non-MSGin5G UE bulk registration request, executes the authentication procedures with the Message Gateway on behalf of the Non-MSGin5G Client and authorises the Non-MSGin5G UE to receive the MSGin5G Service individually as specified in clause 8.2.3.',
    source: S23554_X,
  },
  {
    id: '23.554:8.2.X/4',
    title: 'Step 4 — bulk response (Table 8.2.x-2)',
    sentence:
      'The MSGin5G Server includes all corresponding MSGin5G UE registration responses in a Non-MSGin5G UE bulk registration response and sends it to Message Gateway. The Information Elements specified in table 8.2.x-2 are included in the Non-MSGin5G UE bulk registration response.',
    source: S23554_X,
  },
];

const BY_ID = new Map(STEPS.map((s) => [s.id, s]));

/** The step a rule id names; unknown ids (a newer model, a generic rule) get a plain fallback. */
export function specStep(id: string): SpecStep & { known: boolean } {
  const s = BY_ID.get(id);
  if (s) return { ...s, known: true };
  return { id, title: id, sentence: 'RegLab cites this rule id; the dashboard has no text for it yet.', source: '', known: false };
}

export function allSpecSteps(): readonly SpecStep[] {
  return STEPS;
}

/**
 * IE names of TS 23.554's tables for the JSON names RegLab's non-standard MSGin5G encoding uses
 * (sim/msgin5g/ies.ts documents the mapping; docs/msgin5g.md lists it table by table).
 */
export const MSGIN5G_IE_NAMES: Readonly<Record<string, string>> = {
  ueServiceId: 'UE Service ID',
  ueCredential: 'UE credential information',
  clientProfile: 'MSGin5G Client Profile',
  triggeringInfo: 'MSGin5G Client Triggering Information (Table 8.2.1-2)',
  communicationAvailability: 'MSGin5G Client Communication Availability (Table 8.2.1-3)',
  maxSegmentSize: 'Supported maximum MSGin5G segment size',
  registrationResult: 'Registration result',
  deregistrationResult: 'De-registration result',
  failureCause: 'Failure Cause',
  bulkRegistrationIndicator: 'Bulk registration indicator (Table 8.2.x-1)',
  bulkDeregistrationIndicator: 'Bulk de-registration indicator',
  numberOfRequests: 'Number of individual MSGin5G UE registration requests',
  requests: 'List of individual Non-MSGin5G UE information',
  bulkRegistrationResponseIndicator: 'Bulk registration response indicator (Table 8.2.x-2)',
  bulkDeregistrationResponseIndicator: 'Bulk de-registration response indicator',
  numberOfResponses: 'Number of individual Non-MSGin5G UE registration responses',
  responses: 'List of individual Non-MSGin5G UE registration response',
};
