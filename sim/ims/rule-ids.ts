/**
 * The ids of the spec steps the IMS model realises (DESIGN principle 3). The code that realises a
 * step cites its id in a comment above it and attaches the id to the message it builds; rules.ts
 * checks each one on the watched trace.
 */
export const RULE = {
  /** §6.3.6.2: release all IMS dialogs of the identity and of its implicit set before deregistering. */
  pre: '24.292:6.3.6.2/pre',
  /** Step 1: Request-URI = SIP URI of the home network's domain name. */
  s1: '24.292:6.3.6.2/1',
  /** Step 2: From = the public user identity to be deregistered. */
  s2: '24.292:6.3.6.2/2',
  /** Step 3: To = the public user identity to be deregistered. */
  s3: '24.292:6.3.6.2/3',
  /** Step 4: Contact = the MSC's address, with the +sip.instance used at registration. */
  s4: '24.292:6.3.6.2/4',
  /** Step 5: Via sent-by = the MSC's address. */
  s5: '24.292:6.3.6.2/5',
  /** Step 6: Expires header, or the Contact's expires parameter, = 0. */
  s6: '24.292:6.3.6.2/6',
  /** Step 7: sent as in §6.3.3 (to the I-CSCF, auth-done, P-Visited-Network-ID, same Call-ID, CSeq + 1); "to the I-CSCF" n/a when the next hop is a real peer. */
  s7: '24.292:6.3.6.2/7',
  /** On the 200 (OK): remove all registration details of the identity. */
  on200: '24.292:6.3.6.2/on-200',
  /** The reg-event subscription is considered cancelled, with no unsubscribe sent. */
  regEvent: '24.292:6.3.6.2/reg-event',
  /** TS 24.229 §5.3.1.2 (I-CSCF): UAR with User-Authorization-Type DE_REGISTRATION iff the expiry is zero. */
  uarType: '24.229:5.3.1.2/uar-type',
  /** TS 24.229 §5.4.1.4 (S-CSCF): SAR USER_DEREGISTRATION (or …_STORE_SERVER_NAME) when no contact remains. */
  sarType: '24.229:5.4.1.4/sar-type',
  /** TS 24.229 §5.4.2.1.2 (S-CSCF): NOTIFY reports every identity terminated/unregistered, subscription terminated. */
  notifyState: '24.229:5.4.2.1.2/notify-state',
} as const;

/** The §6.3.6.2 step rules a deregistration REGISTER realises. */
export const DEREGISTER_RULES: readonly string[] = [RULE.s1, RULE.s2, RULE.s3, RULE.s4, RULE.s5, RULE.s6, RULE.s7, RULE.regEvent];
