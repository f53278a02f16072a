import type { NodeContext } from '../node/node.ts';
import {
  CxCommand,
  CxMessage,
  DIAMETER_SUCCESS,
  DeregistrationReasonCode,
  EXP_ERROR_IDENTITY_NOT_REGISTERED,
  EXP_FIRST_REGISTRATION,
  EXP_SERVER_NAME_NOT_STORED,
  EXP_SUBSEQUENT_REGISTRATION,
  ServerAssignmentType,
  UserAuthorizationType,
} from './cx.ts';
import { ImsNode, type ImsEnv } from './ims-node.ts';
import type { ImsSip } from './sip-message.ts';
import type { ClientTransaction } from './sip-stack.ts';
import { restorationStoreOf, type RestorationStore } from './scscf-restoration.ts';

/** Registration state of a public identity in the HSS (TS 29.228 §6.1.2). */
export const enum HssState {
  NotRegistered = 0,
  Registered = 1,
  /** Not registered, but an S-CSCF name is kept (…_STORE_SERVER_NAME). */
  Unregistered = 2,
}

export interface HssParams {
  /**
   * On SAR USER_DEREGISTRATION_STORE_SERVER_NAME: keep the S-CSCF name (answer DIAMETER_SUCCESS) or
   * not (answer DIAMETER_SUCCESS_SERVER_NAME_NOT_STORED, 2004). TS 29.228 §6.1.2 leaves it to the HSS.
   */
  storeServerName: boolean;
  /** Reason-Code of the RTR an 'administrative-deregistration' trigger sends (TS 29.229 §6.3.17). */
  rtrReason: 'PERMANENT_TERMINATION' | 'NEW_SERVER_ASSIGNED' | 'SERVER_CHANGE' | 'REMOVE_S-CSCF';
}

const RTR_REASONS = { PERMANENT_TERMINATION: 0, NEW_SERVER_ASSIGNED: 1, SERVER_CHANGE: 2, 'REMOVE_S-CSCF': 3 } as const;

/**
 * The HSS of the Cx procedures (TS 29.228 §6.1): answers UAR with the S-CSCF serving the identity,
 * records SAR assignments, and (on an 'administrative-deregistration' trigger) ends a registration
 * with RTR. Its per-subscriber state is persistent (a database): it survives a crash.
 *
 * State per subscriber: 1 byte (registration state) + 2 bytes (assigned S-CSCF).
 */
export class Hss extends ImsNode {
  /** HssState per subscriber (the whole implicit set shares it). */
  readonly regState: Uint8Array;
  /** Assigned S-CSCF node per subscriber, -1 none. */
  readonly scscf: Int16Array;
  private readonly preScscf: string | undefined;
  /** TS 23.380 restoration information (scscf-restoration.ts), when an S-CSCF keeps any here. */
  private restorationStore: RestorationStore | undefined = undefined;

  constructor(
    id: string,
    nctx: NodeContext,
    private readonly p: HssParams,
    env: ImsEnv,
  ) {
    super(id, nctx, env);
    this.regState = new Uint8Array(env.population);
    this.scscf = new Int16Array(env.population).fill(-1);
    // Resolved in onStart: the S-CSCF may be declared after the HSS.
    this.preScscf = env.cfg.preRegistered?.scscf;
  }

  protected override onStart(): void {
    // Every node is built by now: an S-CSCF using hss-restoration has created the store.
    this.restorationStore = restorationStoreOf(this.ctx, false);
    // Sizing scenarios start with every identity registered at the configured S-CSCF.
    if (this.preScscf !== undefined && this.served === 0) {
      this.regState.fill(HssState.Registered);
      this.scscf.fill(this.env.indexOf(this.preScscf));
    }
  }

  protected override onCrash(): void {
    super.onCrash(); // the database (state, scscf) is persistent
  }

  protected override onCxRequest(req: CxMessage, from: number): void {
    const sub = req.sub;
    if (sub < 0 || sub >= this.population) {
      this.signal('cx.unknown-user', 1, sub);
      return;
    }
    const ans = req.answer(this.index);
    switch (req.command) {
      case CxCommand.UserAuthorization:
        this.uar(req, ans, from);
        break;
      case CxCommand.ServerAssignment:
        this.sar(req, ans, from);
        break;
      default:
        ans.resultCode = 3001; // DIAMETER_COMMAND_UNSUPPORTED
        this.send(from, ans.seal(req.procedure, undefined));
    }
  }

  /** TS 29.228 §6.1.1.1 (UAR): which S-CSCF, or why not. */
  private uar(req: CxMessage, ans: CxMessage, from: number): void {
    const sub = req.sub;
    const st = this.regState[sub];
    const server = this.scscf[sub];
    if (req.authType === UserAuthorizationType.DeRegistration) {
      if (st === HssState.NotRegistered && server < 0) {
        ans.experimentalCode = EXP_ERROR_IDENTITY_NOT_REGISTERED;
      } else {
        ans.resultCode = DIAMETER_SUCCESS;
        ans.serverName = server;
      }
    } else if (req.authType === UserAuthorizationType.RegistrationAndCapabilities) {
      // The I-CSCF cannot reach the S-CSCF stored here and selects another (TS 29.228 §6.1.1 [R]):
      // capabilities, no name — as the OpenIMSCore FHoSS answers it (DIAMETER_SUCCESS).
      ans.resultCode = DIAMETER_SUCCESS;
      ans.capabilities = true;
    } else if (server >= 0) {
      ans.experimentalCode = EXP_SUBSEQUENT_REGISTRATION;
      ans.serverName = server;
    } else {
      ans.experimentalCode = EXP_FIRST_REGISTRATION;
      ans.capabilities = true;
    }
    this.send(from, ans.seal(req.procedure, undefined));
  }

  /** TS 29.228 §6.1.2.1 (SAR): record the assignment, or its end. */
  private sar(req: CxMessage, ans: CxMessage, from: number): void {
    const sub = req.sub;
    const t = req.assignmentType;
    if (t >= ServerAssignmentType.TimeoutDeregistration && t <= ServerAssignmentType.AdministrativeDeregistration && this.scscf[sub] >= 0 && this.scscf[sub] !== (req.serverName >= 0 ? req.serverName : from)) {
      // The end of a registration at an S-CSCF this HSS no longer names (another was selected when
      // it failed): the current assignment stays [I]. Answered as done — nothing of it is left here.
      this.signal('hss.dereg-from-former-scscf', 1, sub);
      ans.resultCode = DIAMETER_SUCCESS;
      this.send(from, ans.seal(req.procedure, undefined));
      return;
    }
    switch (t) {
      case ServerAssignmentType.Registration:
      case ServerAssignmentType.ReRegistration:
        this.regState[sub] = HssState.Registered;
        this.scscf[sub] = req.serverName >= 0 ? req.serverName : from;
        ans.resultCode = DIAMETER_SUCCESS;
        ans.userData = req.assignmentType === ServerAssignmentType.Registration;
        break;
      case ServerAssignmentType.UserDeregistration:
      case ServerAssignmentType.TimeoutDeregistration:
      case ServerAssignmentType.AdministrativeDeregistration:
        this.regState[sub] = HssState.NotRegistered;
        this.scscf[sub] = -1;
        this.restorationStore?.erase(sub);
        ans.resultCode = DIAMETER_SUCCESS;
        break;
      case ServerAssignmentType.UserDeregistrationStoreServerName:
      case ServerAssignmentType.TimeoutDeregistrationStoreServerName:
        // The registration ends: its restoration information with it (TS 23.380 §4 [R]).
        this.restorationStore?.erase(sub);
        if (this.p.storeServerName) {
          this.regState[sub] = HssState.Unregistered;
          ans.resultCode = DIAMETER_SUCCESS;
        } else {
          this.regState[sub] = HssState.NotRegistered;
          this.scscf[sub] = -1;
          ans.experimentalCode = EXP_SERVER_NAME_NOT_STORED;
        }
        break;
      default:
        ans.resultCode = DIAMETER_SUCCESS;
    }
    this.send(from, ans.seal(req.procedure, undefined));
  }

  /** 'administrative-deregistration': the operator ends the registration (RTR, TS 29.228 §6.1.3). */
  protected override onTrigger(kind: string, sub: number): void {
    if (kind !== 'administrative-deregistration') return super.onTrigger(kind, sub);
    const server = this.scscf[sub];
    if (this.regState[sub] !== HssState.Registered || server < 0) {
      this.signal('hss.rtr-not-registered', 1, sub);
      return;
    }
    const rtr = new CxMessage(this.ctx, sub, CxCommand.RegistrationTermination, true);
    rtr.sessionNode = this.index;
    rtr.sessionHi = 1;
    rtr.hopByHop = this.nextHopByHop();
    rtr.sessionLo = rtr.hopByHop;
    rtr.endToEnd = rtr.hopByHop;
    rtr.origin = this.index;
    rtr.destination = server;
    rtr.reasonCode = RTR_REASONS[this.p.rtrReason] ?? DeregistrationReasonCode.PermanentTermination;
    this.regState[sub] = HssState.NotRegistered;
    this.scscf[sub] = -1;
    this.restorationStore?.erase(sub);
    this.procedureStarted('hss-deregistration', sub);
    this.sendCx(rtr.seal('hss-deregistration', undefined), server, { sub, started: this.now() });
  }

  protected override onCxAnswer(ans: CxMessage, context: unknown): void {
    const c = context as { sub: number; started: number };
    this.procedureEnded('hss-deregistration', c.sub, c.started, ans.success ? 'completed' : 'failed');
  }

  protected override onCxTimeout(context: unknown): void {
    const c = context as { sub: number; started: number };
    this.procedureEnded('hss-deregistration', c.sub, c.started, 'failed');
  }

  // The HSS speaks no SIP.
  onRequest(req: ImsSip): void {
    this.signal('sip.unexpected', 1, req.sub);
  }
  onResponse(_r: ImsSip, _tx: ClientTransaction): void {}
  onTimeout(_tx: ClientTransaction): void {}
}
