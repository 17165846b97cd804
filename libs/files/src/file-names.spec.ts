import { attachmentDisposition, cleanFileName } from './file-names';

describe('cleanFileName', () => {
  it('keeps the last path segment without control or bidi characters', () => {
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('C:\\Users\\x\\Bericht.pdf')).toBe('Bericht.pdf');
    expect(cleanFileName('a\r\nb\u0000c\u202Eexe.pdf')).toBe('abcexe.pdf');
    expect(cleanFileName('   ')).toBe('file');
    expect(cleanFileName(undefined)).toBe('file');
    expect(Array.from(cleanFileName('ü'.repeat(300)))).toHaveLength(255);
  });
});

describe('attachmentDisposition', () => {
  it('gives an ASCII fallback and the exact name percent-encoded', () => {
    expect(attachmentDisposition('Grüße.pdf')).toBe(
      `attachment; filename="Gru_e.pdf"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.pdf`,
    );
  });

  it('lets no name close the quotes, add parameters or break the header', () => {
    const header = attachmentDisposition('a"; filename=evil.exe\\;%0d\r\n.txt');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toMatch(/^attachment; filename="[^"\\;%]*"; filename\*=UTF-8''[A-Za-z0-9%._~!-]*$/);
  });
});
