import { pngImage } from '../../../test/support/png';
import {
  accentColorSchema,
  checkLogo,
  contrastRatio,
  LogoRefused,
  MAX_LOGO_BYTES,
  themeCss,
} from './tenant-branding';

describe('tenant branding', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBe(1);
    // The WCAG reference: #767676 is the lightest grey with 4.5:1 on white.
    expect(contrastRatio('#767676', '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio('#777777', '#ffffff')).toBeLessThan(4.5);
    expect(contrastRatio('#ffffff', '#1d4f7c')).toBeCloseTo(contrastRatio('#1d4f7c', '#ffffff'), 10);
  });

  it('accepts dark accents as lower-case #rrggbb and refuses light or malformed ones', () => {
    expect(accentColorSchema.parse(' #0B5E3B ')).toBe('#0b5e3b');
    expect(accentColorSchema.parse('#767676')).toBe('#767676');
    for (const bad of [
      '#777777',
      '#ffcc00',
      '#fff',
      'blue',
      '1d4f7c',
      '#1d4f7cff',
      '#1d4f7c;}body{x:y',
      '',
    ]) {
      const result = accentColorSchema.safeParse(bad);
      expect({ bad, success: result.success }).toEqual({ bad, success: false });
    }
    expect(accentColorSchema.safeParse('#ffcc00').error?.issues[0]?.message).toMatch(/4\.5:1 against white/);
  });

  it('takes PNG logos by their bytes and refuses other, empty and oversized files', async () => {
    await expect(checkLogo(pngImage(4, 4, () => [0, 0, 0]))).resolves.toBe('image/png');
    await expect(checkLogo(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).rejects.toThrow(
      /PNG, JPEG or WebP/,
    );
    await expect(checkLogo(Buffer.from('%PDF-1.7\n'))).rejects.toThrow(/this is application\/pdf/);
    await expect(checkLogo(Buffer.alloc(0))).rejects.toThrow(LogoRefused);
    const huge = Buffer.concat([pngImage(4, 4, () => [0, 0, 0]), Buffer.alloc(MAX_LOGO_BYTES)]);
    await expect(checkLogo(huge)).rejects.toThrow(/at most 262144/);
  });

  it("writes the accent into KERN's action colour, and nothing but a checked colour", () => {
    const css = themeCss('#0b5e3b');
    expect(css).toContain("html[data-kern-theme='light'] {\n  --kern-color-action-default: #0b5e3b;\n}");
    expect(themeCss(null)).not.toContain('--kern-color-action-default');
    expect(() => themeCss('red;} body {display:none')).toThrow(/Not a checked accent colour/);
  });
});
