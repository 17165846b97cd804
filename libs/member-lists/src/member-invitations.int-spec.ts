import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { startDevIdentityProvider, type DevIdentityProvider } from '@allmende/dev-idp';
import { DevIdentityDirectory, type IdentityDirectory } from '@allmende/identity';
import type { Tenant } from '@allmende/tenants';
import { createTenantWithMembers, invitedAtByEmail, openOrm } from '../../../test/support/fixtures';
import {
  countInvitable,
  INVITATION_LIFESPAN_SECONDS,
  inviteMembers,
  memberListEmails,
  type InviteMembersOptions,
} from './member-invitations';

const ADMIN_TOKEN = randomBytes(24).toString('hex');

/** Fails for the e-mails in `failing`, passes everything else on: one person's failure among others. */
class FailingFor implements IdentityDirectory {
  constructor(
    private readonly directory: IdentityDirectory,
    private readonly failing: readonly string[],
  ) {}
  ensureUser(person: { email: string; givenName: string; familyName: string }) {
    if (this.failing.includes(person.email)) {
      return Promise.reject(new Error(`the directory refused ${person.email}\nsecond line`));
    }
    return this.directory.ensureUser(person);
  }
  sendInvitation(userId: string, options?: { redirectUri?: string; lifespanSeconds?: number }) {
    return this.directory.sendInvitation(userId, options);
  }
}

describe('member invitations', () => {
  let orm: MikroORM;
  let idp: DevIdentityProvider;
  let directory: DevIdentityDirectory;

  beforeAll(async () => {
    orm = await openOrm();
    idp = await startDevIdentityProvider({
      clients: [],
      users: [],
      adminToken: ADMIN_TOKEN,
      nodeEnv: 'test',
    });
    directory = new DevIdentityDirectory({ url: idp.url, realm: idp.realm, adminToken: ADMIN_TOKEN });
  });

  afterAll(async () => {
    await idp.stop();
    await orm.close(true);
  });

  const unique = (name: string) => `${name}.${randomBytes(4).toString('hex')}@example.org`;
  const mailsTo = (email: string) => idp.actionEmails().filter((mail) => mail.email === email);

  function invite(
    tenant: Tenant,
    options: Omit<InviteMembersOptions, 'tenantId'>,
    via: IdentityDirectory = directory,
  ) {
    return inviteMembers(orm, via, { tenantId: tenant.id, ...options });
  }

  it('invites named members: creates their accounts, sends the set-up e-mail, records invited_at', async () => {
    const anna = unique('anna.weiss');
    const ben = unique('ben.berg');
    const tenant = await createTenantWithMembers(orm, [{ email: anna }, { email: ben }]);
    const before = Date.now();

    const summary = await invite(tenant, {
      members: [` ${anna.toUpperCase()} `, 'nobody@example.org', anna],
      redirectUri: 'http://localhost:3000/t/dorf/',
    });

    expect(summary.outcomes).toEqual([
      { email: anna, status: 'invited' },
      { email: 'nobody@example.org', status: 'not_found' },
    ]);
    expect(summary.counts).toEqual({ invited: 1, already_invited: 0, signed_in: 0, not_found: 1, failed: 0 });
    const account = idp.users().find((user) => user.email === anna)!;
    expect(account).toMatchObject({
      email: anna,
      emailVerified: false,
      givenName: 'anna',
      familyName: 'weiss',
    });
    expect(mailsTo(anna)).toEqual([
      expect.objectContaining({
        userId: account.id,
        actions: ['VERIFY_EMAIL', 'UPDATE_PASSWORD'],
        redirectUri: 'http://localhost:3000/t/dorf/',
      }),
    ]);
    const stored = await invitedAtByEmail(orm, tenant);
    expect(stored[anna]!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(stored[ben]).toBeNull();
    expect(mailsTo(ben)).toEqual([]);
  });

  it('a second run sends nothing; resend sends again and moves invited_at', async () => {
    const carla = unique('carla.christ');
    const tenant = await createTenantWithMembers(orm, [{ email: carla }]);
    await invite(tenant, { members: [carla] });
    const first = (await invitedAtByEmail(orm, tenant))[carla]!;

    const again = await invite(tenant, { members: [carla] });
    expect(again.outcomes).toEqual([{ email: carla, status: 'already_invited', invitedAt: first }]);
    expect(mailsTo(carla)).toHaveLength(1);
    expect((await invitedAtByEmail(orm, tenant))[carla]).toEqual(first);

    const resent = await invite(tenant, { members: [carla], resend: true });
    expect(resent.outcomes).toEqual([{ email: carla, status: 'invited' }]);
    expect(mailsTo(carla)).toHaveLength(2);
    // Same account both times.
    expect(new Set(mailsTo(carla).map((mail) => mail.userId)).size).toBe(1);
    expect((await invitedAtByEmail(orm, tenant))[carla]!.getTime()).toBeGreaterThan(first.getTime());
  });

  it('skips members who signed in, even with resend', async () => {
    const dora = unique('dora.dorn');
    const tenant = await createTenantWithMembers(orm, [{ email: dora, signedIn: true }]);
    const summary = await invite(tenant, { members: [dora], resend: true });
    expect(summary.outcomes).toEqual([{ email: dora, status: 'signed_in' }]);
    expect(mailsTo(dora)).toEqual([]);
    expect((await invitedAtByEmail(orm, tenant))[dora]).toBeNull();
  });

  it("'uninvited' invites every member neither invited nor signed in, page by page, by e-mail", async () => {
    const fresh = ['a', 'b', 'c', 'd', 'e'].map((letter) => unique(`${letter}.neu`)).sort();
    const signedIn = unique('f.da');
    const invited = unique('g.eingeladen');
    const earlier = new Date('2026-01-02T03:04:05Z');
    const tenant = await createTenantWithMembers(orm, [
      ...fresh.map((email) => ({ email })),
      { email: signedIn, signedIn: true },
      { email: invited, invitedAt: earlier },
    ]);
    const seen: string[] = [];
    const summary = await invite(tenant, {
      members: 'uninvited',
      pageSize: 2,
      concurrency: 3,
      onOutcome: (outcome) => seen.push(outcome.email),
    });
    expect(summary.outcomes).toEqual(fresh.map((email) => ({ email, status: 'invited' })));
    expect(seen).toEqual(fresh);
    for (const email of fresh) expect(mailsTo(email)).toHaveLength(1);
    expect(mailsTo(signedIn)).toEqual([]);
    expect(mailsTo(invited)).toEqual([]);
    expect((await invitedAtByEmail(orm, tenant))[invited]).toEqual(earlier);

    const again = await invite(tenant, { members: 'uninvited' });
    expect(again.outcomes).toEqual([]);
  });

  it('a dry run decides the same, and sends and writes nothing', async () => {
    const eva = unique('eva.ernst');
    const fritz = unique('fritz.fuchs');
    const tenant = await createTenantWithMembers(orm, [
      { email: eva },
      { email: fritz, invitedAt: new Date() },
    ]);
    const summary = await invite(tenant, { members: [eva, fritz], dryRun: true });
    expect(summary.dryRun).toBe(true);
    expect(summary.outcomes.map((outcome) => outcome.status)).toEqual(['invited', 'already_invited']);
    expect(idp.users().some((user) => user.email === eva)).toBe(false);
    expect(mailsTo(eva)).toEqual([]);
    expect((await invitedAtByEmail(orm, tenant))[eva]).toBeNull();
  });

  it("one person's failure does not stop the others; the next run tries only them again", async () => {
    const ok1 = unique('gerd.gut');
    const broken = unique('hanna.hakt');
    const ok2 = unique('ida.immer');
    const tenant = await createTenantWithMembers(orm, [{ email: ok1 }, { email: broken }, { email: ok2 }]);

    const summary = await invite(tenant, { members: 'uninvited' }, new FailingFor(directory, [broken]));
    const byEmail = Object.fromEntries(summary.outcomes.map((outcome) => [outcome.email, outcome]));
    expect(byEmail[broken]).toEqual({
      email: broken,
      status: 'failed',
      reason: `the directory refused ${broken}`,
    });
    expect(byEmail[ok1]!.status).toBe('invited');
    expect(byEmail[ok2]!.status).toBe('invited');
    const stored = await invitedAtByEmail(orm, tenant);
    expect(stored[broken]).toBeNull();
    expect(stored[ok1]).not.toBeNull();

    const retry = await invite(tenant, { members: 'uninvited' });
    expect(retry.outcomes).toEqual([{ email: broken, status: 'invited' }]);
    expect(mailsTo(ok1)).toHaveLength(1);
  });

  it('passes a seven-day link lifespan unless told otherwise', async () => {
    const seen: (number | undefined)[] = [];
    const recording: IdentityDirectory = {
      ensureUser: (person) => directory.ensureUser(person),
      sendInvitation: (userId, options) => {
        seen.push(options?.lifespanSeconds);
        return directory.sendInvitation(userId, options);
      },
    };
    const jan = unique('jan.jung');
    const tenant = await createTenantWithMembers(orm, [{ email: jan }]);
    await invite(tenant, { members: [jan] }, recording);
    await invite(tenant, { members: [jan], resend: true, lifespanSeconds: 600 }, recording);
    expect(seen).toEqual([INVITATION_LIFESPAN_SECONDS, 600]);
  });

  it('memberListEmails reads the valid rows of a file; countInvitable counts whom an invitation would reach', async () => {
    const known = unique('karl.kurz');
    const invited = unique('lea.lang');
    const signedIn = unique('max.mut');
    const tenant = await createTenantWithMembers(orm, [
      { email: known },
      { email: invited, invitedAt: new Date() },
      { email: signedIn, signedIn: true },
    ]);
    const fresh = unique('nina.neu');
    const csv =
      'E-Mail;Vorname;Nachname\n' +
      `${known.toUpperCase()};Karl;Kurz\n` +
      `${invited};Lea;Lang\n` +
      'kaputt;Kai;Putt\n' +
      `${signedIn};Max;Mut\n` +
      `${fresh};Nina;Neu\n` +
      `${fresh};Nina;Doppelt\n`;
    const emails = await memberListEmails(orm, {
      tenantId: tenant.id,
      source: async function* () {
        yield Buffer.from(csv);
      },
    });
    expect(emails).toEqual([known, invited, signedIn, fresh]);
    // known (uninvited) and fresh (not a member yet, an import creates it).
    expect(await countInvitable(orm, { tenantId: tenant.id, emails, chunkSize: 2 })).toBe(2);
  });
});
