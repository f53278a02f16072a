import { MscRecovery } from './msc-recovery.ts';

export { DEREG_TRIGGERS, REGISTER_TRIGGERS, MscState, callingIdentity, refreshAfter, type MscParams } from './msc-shell.ts';

/**
 * The MSC Server enhanced for ICS (TS 24.292), assembled from its parts: the shell (state, lifecycle,
 * dispatch: msc-shell.ts), registration (§6.3.3: msc-registration.ts), reg event (RFC 3680:
 * msc-reg-event.ts), sessions (msc-sessions.ts) deregistration (§6.3.6.2: msc-deregistration.ts) and the restart of a volatile registration store
 * (msc-recovery.ts).
 */
export class MscIcs extends MscRecovery {}
