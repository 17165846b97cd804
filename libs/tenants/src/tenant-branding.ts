import { fileTypeFromBuffer } from 'file-type';
import { z } from 'zod';

/**
 * A community's look in the portal (DESIGN.md §7): one accent colour, which KERN uses for
 * buttons (white text on it) and links (it on white), and a logo or coat of arms beside the
 * name. Both are checked here, once, for every way in (CLI, API).
 */

/** WCAG 2.1 AA for normal text: the accent carries button labels and link text. */
export const MIN_ACCENT_CONTRAST = 4.5;

/** Logos are shown at most 3rem high: a quarter megabyte is plenty for a crisp coat of arms. */
export const MAX_LOGO_BYTES = 256 * 1024;

/**
 * Raster images only. SVG may carry scripts and external references; a coat of arms is easily
 * exported as PNG or WebP.
 */
export const LOGO_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;

/** `#1d4f7c` or `#1D4F7C` (stored lower-case); three-digit or named colours are refused. */
export const accentColorSchema = z
  .string()
  .trim()
  .regex(/^#[0-9a-fA-F]{6}$/, 'The accent colour must be written as #rrggbb, e.g. #1d4f7c.')
  .transform((value) => value.toLowerCase())
  .refine((value) => contrastRatio(value, '#ffffff') >= MIN_ACCENT_CONTRAST, {
    message: `The accent colour must have a contrast of at least ${MIN_ACCENT_CONTRAST}:1 against white (WCAG 2.1 AA), for white button labels and for links; choose a darker colour.`,
  });

/** The WCAG 2.1 contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(first: string, second: string): number {
  const a = relativeLuminance(first);
  const b = relativeLuminance(second);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

function relativeLuminance(hex: string): number {
  const linear = (start: number) => {
    const channel = parseInt(hex.slice(start, start + 2), 16) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(1) + 0.7152 * linear(3) + 0.0722 * linear(5);
}

/** Why a logo was refused: the caller turns it into its own error (CLI message, 400/415). */
export class LogoRefused extends Error {}

/** The logo's media type, by its bytes (never by a file name); refuses what is not a logo. */
export async function checkLogo(bytes: Buffer): Promise<(typeof LOGO_MEDIA_TYPES)[number]> {
  if (bytes.length === 0) throw new LogoRefused('The logo file is empty.');
  if (bytes.length > MAX_LOGO_BYTES) {
    throw new LogoRefused(
      `The logo has ${bytes.length} bytes; at most ${MAX_LOGO_BYTES} (256 KiB) are accepted.`,
    );
  }
  const detected = await fileTypeFromBuffer(bytes);
  const mediaType = LOGO_MEDIA_TYPES.find((type) => type === detected?.mime);
  if (!mediaType) {
    throw new LogoRefused(
      `The logo must be a PNG, JPEG or WebP image${detected ? ` (this is ${detected.mime})` : ''}.`,
    );
  }
  return mediaType;
}

/**
 * The community's stylesheet: KERN's action colour set to the accent. KERN derives its hover,
 * focus and "contextual" colours from `--kern-color-action-default`, so this one property
 * reaches buttons, links and form controls; portal.css follows it too. The selector outranks
 * KERN's own `[data-kern-theme=light]`. The accent is a checked `#rrggbb` (schema above, and a
 * check constraint on the column), so nothing else can reach the stylesheet.
 */
export function themeCss(accentColor: string | null): string {
  const header = "/* Allmende: the community's accent colour (tenants.accent_color). */\n";
  if (!accentColor) return `${header}/* none set: KERN's own colours */\n`;
  if (!/^#[0-9a-f]{6}$/.test(accentColor)) throw new Error(`Not a checked accent colour: ${accentColor}`);
  return `${header}html[data-kern-theme='light'] {\n  --kern-color-action-default: ${accentColor};\n}\n`;
}
