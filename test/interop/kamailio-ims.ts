/**
 * Kamailio's IMS modules as a real I-CSCF and S-CSCF for RegLab's emulated HSS: the two configs
 * (test/fixtures/kamailio/ims/), their cdp DiameterPeer files and their db_text tables written
 * into a temporary directory, each Kamailio started on free ports and stopped by its PID.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kamailio, KAMAILIO_FIXTURES } from './kamailio.ts';
import { freePort, freePorts } from './ports.ts';
import { waitFor } from './peer-process.ts';

/** Debian's kamailio package: db_text files of every standard table (presence's among them). */
export const DEBIAN_DBTEXT = '/usr/share/kamailio/dbtext/kamailio';

export interface ImsCoreOptions {
  dir: string;
  realm: string;
  /** Where RegLab's HSS listens for Diameter. */
  hssPort: number;
  /** The HSS's Origin-Host: cdp resolves a peer's FQDN to connect, so it must resolve (localhost). */
  hssHost: string;
  icscfFqdn: string;
  scscfFqdn: string;
  /** The S-CSCF's name as RegLab's HSS renders it (Server-Name: the model's address of the node). */
  modelScscf: string;
  /** Capabilities the HSS asks for in a first-registration UAA (Mandatory/Optional-Capability). */
  capabilities: number[];
}

export interface ImsCore {
  icscf: Kamailio;
  scscf: Kamailio;
  stop(): Promise<void>;
}

/** cdp's DiameterPeer file: this peer's identity, the HSS as its only peer and default route (Cx). */
function diameterPeer(fqdn: string, realm: string, acceptPort: number, o: ImsCoreOptions): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<DiameterPeer FQDN="${fqdn}" Realm="${realm}" Vendor_Id="10415" Product_Name="CDiameterPeer"
  AcceptUnknownPeers="0" DropUnknownOnDisconnect="1" Tc="2" Workers="2" QueueLength="8"
  ConnectTimeout="3" TransactionTimeout="3" SessionsHashSize="64"
  DefaultAuthSessionTimeout="60" MaxAuthSessionTimeout="300">
  <Peer FQDN="${o.hssHost}" Realm="${realm}" port="${o.hssPort}"/>
  <Acceptor port="${acceptPort}" bind="127.0.0.1"/>
  <Auth id="16777216" vendor="10415"/>
  <DefaultRoute FQDN="${o.hssHost}" metric="10"/>
</DiameterPeer>
`;
}

/** db_text tables: Debian's standard set (presence needs its own) plus ims_icscf's three. */
function writeDb(dir: string, scscfAddr: string, caps: number[]): void {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(DEBIAN_DBTEXT)) copyFileSync(join(DEBIAN_DBTEXT, f), join(dir, f));
  const esc = (s: string) => s.replace(/:/g, '\\:');
  writeFileSync(join(dir, 's_cscf'), `id(int,auto) name(string) s_cscf_uri(string)\n1:scscf:${esc(scscfAddr)}\n`);
  writeFileSync(join(dir, 's_cscf_capabilities'), `id(int,auto) id_s_cscf(int) capability(int)\n${caps.map((c, i) => `${i + 1}:1:${c}`).join('\n')}\n`);
  writeFileSync(join(dir, 'nds_trusted_domains'), `id(int,auto) trusted_domain(string)\n`);
  // ims_icscf checks these tables' versions like the standard ones.
  const version = join(dir, 'version');
  writeFileSync(version, `${readFileSync(version, 'utf8')}0:nds_trusted_domains:1\n0:s_cscf:1\n0:s_cscf_capabilities:1\n`);
}

const q = (s: string) => `"${s}"`;

/** Starts the S-CSCF, then the I-CSCF, and waits until both have their Diameter peer (the HSS) open. */
export async function startImsCore(o: ImsCoreOptions): Promise<ImsCore> {
  const db = join(o.dir, 'db');
  const scscfPort = await freePort();
  const scscfAddr = `sip:127.0.0.1:${scscfPort}`;
  writeDb(db, scscfAddr, o.capabilities);
  const [accS, accI] = await freePorts(2);
  writeFileSync(join(o.dir, 'scscf.xml'), diameterPeer(o.scscfFqdn, o.realm, accS, o));
  writeFileSync(join(o.dir, 'icscf.xml'), diameterPeer(o.icscfFqdn, o.realm, accI, o));
  const common = [`REALM=${q(o.realm)}`, `DB_URL=${q(`text://${db}`)}`];
  const scscf = await Kamailio.start({
    cfg: join(KAMAILIO_FIXTURES, 'ims/scscf.cfg'),
    port: scscfPort,
    transports: ['udp'],
    defines: [...common, `CDP_CONFIG=${q(join(o.dir, 'scscf.xml'))}`, `SCSCF_NAME=${q(o.modelScscf)}`],
    shmMb: 64,
  });
  let icscf: Kamailio | undefined;
  try {
    icscf = await Kamailio.start({
      cfg: join(KAMAILIO_FIXTURES, 'ims/icscf.cfg'),
      transports: ['udp'],
      defines: [...common, `CDP_CONFIG=${q(join(o.dir, 'icscf.xml'))}`, `MODEL_SCSCF=${q(o.modelScscf)}`, `SCSCF_ADDR=${q(scscfAddr)}`],
      shmMb: 64,
    });
    for (const k of [scscf, icscf]) {
      await waitFor(
        `${k === scscf ? 'S' : 'I'}-CSCF's Diameter connection to the HSS (cdp.list_peers: I_Open/R_Open)`,
        async () => (/State:\s*(I_Open|R_Open)/.test(await k.kamcmd(['cdp.list_peers'])) ? true : undefined),
        15_000,
        200,
      );
    }
  } catch (e) {
    await icscf?.stop();
    await scscf.stop();
    throw e;
  }
  const i = icscf;
  return {
    icscf: i,
    scscf,
    async stop() {
      await i.stop();
      await scscf.stop();
    },
  };
}
