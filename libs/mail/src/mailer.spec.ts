import { deliveryMessageId } from './message-id';
import { senderDomain, toMailSendError } from './mailer';

describe('toMailSendError', () => {
  it.each([
    [{ responseCode: 421, message: 'try later' }, true],
    [{ responseCode: 451, message: 'greylisted' }, true],
    [{ responseCode: 550, message: 'no such user' }, false],
    [{ responseCode: 554, message: 'rejected' }, false],
    [{ code: 'ECONNECTION', message: 'closed' }, true],
    [{ code: 'ETIMEDOUT', message: 'timeout' }, true],
    [{ code: 'EENVELOPE', message: 'bad address' }, false],
    [new Error('something odd'), true],
  ])('%p is temporary: %p', (error, temporary) => {
    const classified = toMailSendError(error);
    expect(classified.temporary).toBe(temporary);
    expect(classified.message).toBe((error as { message: string }).message);
  });
});

describe('senderDomain', () => {
  it('takes the domain of the From address', () => {
    expect(senderDomain('Allmende <noreply@ransbach.example>')).toBe('ransbach.example');
    expect(senderDomain('noreply@allmende.example')).toBe('allmende.example');
    expect(senderDomain('nobody')).toBe('localhost');
  });
});

describe('deliveryMessageId', () => {
  it('is the same for the same delivery and differs otherwise', () => {
    const id = deliveryMessageId('t1', 'm1', 'digest.daily.2026-11-25', 'allmende.example');
    expect(id).toMatch(/^<digest\.[0-9a-f]{32}@allmende\.example>$/);
    expect(deliveryMessageId('t1', 'm1', 'digest.daily.2026-11-25', 'allmende.example')).toBe(id);
    expect(deliveryMessageId('t1', 'm2', 'digest.daily.2026-11-25', 'allmende.example')).not.toBe(id);
    expect(deliveryMessageId('t1', 'm1', 'digest.daily.2026-11-26', 'allmende.example')).not.toBe(id);
  });
});
