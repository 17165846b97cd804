import iconv from 'iconv-lite';
import { completeFirstLine, detectDelimiter, detectEncoding, normalizeEncodingName } from './detect';

describe('detectEncoding', () => {
  const text = 'E-Mail;Vorname;Nachname\r\njuergen@example.org;Jürgen;Müller\r\nw@example.org;Anna;Weiß\r\n';

  it('takes a byte order mark as UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    expect(detectEncoding(bytes, true)).toEqual({ encoding: 'utf-8', bom: true });
  });

  it('takes a UTF-16 byte order mark as UTF-16 (Excel\'s "Unicode Text")', () => {
    expect(detectEncoding(iconv.encode(`\ufeff${text}`, 'utf-16le'), true)).toEqual({
      encoding: 'utf-16le',
      bom: true,
    });
    expect(detectEncoding(iconv.encode(`\ufeff${text}`, 'utf-16be'), true)).toEqual({
      encoding: 'utf-16be',
      bom: true,
    });
  });

  it('takes valid UTF-8 without a BOM as UTF-8', () => {
    expect(detectEncoding(Buffer.from(text, 'utf8'), true)).toEqual({ encoding: 'utf-8', bom: false });
  });

  it('takes plain ASCII as UTF-8', () => {
    expect(detectEncoding(Buffer.from('email,first name\n', 'utf8'), true).encoding).toBe('utf-8');
  });

  it('takes bytes that are not UTF-8 as Windows-1252', () => {
    const bytes = iconv.encode(text, 'win1252');
    expect(detectEncoding(bytes, true)).toEqual({ encoding: 'windows-1252', bom: false });
    expect(iconv.decode(bytes, 'windows-1252')).toBe(text);
  });

  it('does not hold a multi-byte sequence cut at the end of the sample against UTF-8', () => {
    const bytes = Buffer.from('Name\nMü', 'utf8');
    const cut = bytes.subarray(0, bytes.length - 1); // ends with the first byte of "ü"
    expect(detectEncoding(cut, false).encoding).toBe('utf-8');
    // ... unless the sample is the whole file: then it is not UTF-8.
    expect(detectEncoding(cut, true).encoding).toBe('windows-1252');
  });

  it('still finds Windows-1252 when the only umlaut is the last byte of a partial sample', () => {
    // 0xFC ("ü" in Windows-1252) followed by an ASCII byte can never be UTF-8.
    expect(detectEncoding(iconv.encode('Name\nMüller', 'win1252'), false).encoding).toBe('windows-1252');
  });
});

describe('normalizeEncodingName', () => {
  it.each([
    ['UTF-8', 'utf-8'],
    ['utf8', 'utf-8'],
    ['Windows-1252', 'windows-1252'],
    ['cp1252', 'windows-1252'],
    ['ISO-8859-1', 'iso-8859-1'],
    ['latin1', 'iso-8859-1'],
    ['ISO_8859-15', 'iso-8859-15'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeEncodingName(input)).toBe(expected);
  });

  it('rejects unknown names', () => {
    expect(normalizeEncodingName('klingon')).toBeUndefined();
  });
});

describe('detectDelimiter', () => {
  it.each([
    ['E-Mail;Vorname;Nachname\r\na;b;c', ';'],
    ['email,first name,last name\nx,y,z', ','],
    ['email\tfirst name\tlast name\n', '\t'],
    // Commas inside quotes do not count.
    ['"Name, Vorname";E-Mail;Gruppen\n', ';'],
    ['"a;b;c;d",email,x\n', ','],
    // Only the first line counts.
    ['E-Mail;Vorname\nx,y,z,w,v,u\n', ';'],
    // One column, or a tie: semicolon.
    ['E-Mail\n', ';'],
    ['a;b,c\n', ';'],
  ])('%j → %j', (text, expected) => {
    expect(detectDelimiter(text)).toBe(expected);
  });
});

describe('completeFirstLine', () => {
  it('finds the end of the first line outside quotes', () => {
    expect(completeFirstLine('a;b\r\nc')).toBe('a;b');
    expect(completeFirstLine('"a\nb";c\nd')).toBe('"a\nb";c');
    expect(completeFirstLine('a;b')).toBeUndefined();
  });
});
