import { createHash } from 'node:crypto';

/**
 * The Message-ID of a delivery: the same tenant, member and ledger key always give the same
 * id, so if a crash ever repeats a hand-off, receivers see the same message twice, not two messages.
 */
export function deliveryMessageId(
  tenantId: string,
  memberId: string,
  periodKey: string,
  domain: string,
): string {
  const digest = createHash('sha256')
    .update(`${tenantId}\n${memberId}\n${periodKey}`)
    .digest('hex')
    .slice(0, 32);
  return `<${periodKey.split('.')[0]}.${digest}@${domain}>`;
}
