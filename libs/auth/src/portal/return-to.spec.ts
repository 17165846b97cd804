import { safeReturnTo } from './return-to';

describe('safeReturnTo', () => {
  it.each([
    [undefined, '/'],
    ['', '/'],
    ['/', '/'],
    ['/t/ransbach-baumbach/', '/t/ransbach-baumbach/'],
    [
      '/t/ransbach-baumbach/groups/grillhuette?month=2026-06#kalender',
      '/t/ransbach-baumbach/groups/grillhuette?month=2026-06#kalender',
    ],
    ['/me', '/me'],
    ['/admin/queues', '/admin/queues'],
  ])('accepts our own path %p', (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected);
  });

  it.each([
    'https://evil.example/',
    '//evil.example/t/x/',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    '/t/x/../../api/tenants',
    '/api/tenants/x/members',
    '/t//evil.example',
    '/t/x/\n',
    'http:/evil.example',
    ['/t/x/'],
  ])('refuses %p', (input) => {
    expect(safeReturnTo(input)).toBeUndefined();
  });
});
