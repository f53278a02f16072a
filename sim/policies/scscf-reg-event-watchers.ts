/**
 * How many reg-event watchers the S-CSCF keeps per registration (issue 13 item 13). RFC 3680 and
 * TS 24.229 §5.4.2.1.1 let several parties subscribe to one user's reg event — the UE itself, its
 * P-CSCF, application servers (and, in ICS, the MSC Server acting for the CS subscriber, TS 24.292
 * §6.3.3), "based on the local policy" — and §5.4.2.1.2 notifies each subscription (TS 24.228's
 * register flows show the UE and its P-CSCF subscribed at once, both notified). What happens to an existing
 * subscription when a new SUBSCRIBE arrives is the implementation's:
 *
 *  - 'keep-all' (default): every watcher is kept; a new SUBSCRIBE from a watcher that already has a
 *    subscription (the same Contact: the same node) replaces only that watcher's older dialog.
 *    That is Kamailio's IMS S-CSCF: `ims_registrar_scscf` `subscribe_to_reg()` looks the
 *    subscriber up by (presentity, watcher Contact, event) (`ims_usrloc_scscf` `get_subscriber`),
 *    adds a new one otherwise (`add_subscriber`, a list per IMPU), and "Removing old subscriber
 *    and adding new one" when the same watcher Contact comes with another dialog.
 *  - 'replace': one watcher per registration, the newest; a new SUBSCRIBE ends every other
 *    subscription with a NOTIFY `Subscription-State: terminated` — RegLab's model before issue
 *    13 item 13, kept to compare: an MSC change (or a second watcher such as a lab client) ends
 *    the other's subscription.
 *
 * Pure decision: whether an existing subscription stays when another one is accepted.
 */
export interface OtherWatcher {
  /** The existing subscription is from the same watcher (the same node / Contact) as the new one. */
  sameWatcher: boolean;
}

export type RegEventWatchersPolicy = (w: OtherWatcher) => 'keep' | 'end';

/** 'keep-all': Kamailio ims_registrar_scscf — one subscription per watcher Contact, all kept. */
export const keepAll: RegEventWatchersPolicy = (w) => (w.sameWatcher ? 'end' : 'keep');

/** 'replace': the newest subscription only. */
export const replaceOthers: RegEventWatchersPolicy = () => 'end';

export const REG_EVENT_WATCHERS_POLICIES = {
  'keep-all': keepAll,
  replace: replaceOthers,
} as const satisfies Record<string, RegEventWatchersPolicy>;

export type RegEventWatchersPolicyName = keyof typeof REG_EVENT_WATCHERS_POLICIES;
/** Kamailio's IMS S-CSCF, and TS 24.228's flows (several watchers, each notified). */
export const DEFAULT_REG_EVENT_WATCHERS_POLICY: RegEventWatchersPolicyName = 'keep-all';
