/**
 * Draws the app icon (a magnifier over a medical cross on the theme colour)
 * from one geometry into public/icons/: icon.svg plus 192/512 PNGs and a
 * maskable 512 PNG. Deterministic: same bytes on every run.
 * Run: npx tsx scripts/make-icons.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

export const THEME_COLOR = '#0b6e69';
const BG: Rgb = [0x0b, 0x6e, 0x69];
const WHITE: Rgb = [0xff, 0xff, 0xff];
const MINT: Rgb = [0xa7, 0xf3, 0xd0];

type Rgb = [number, number, number];

// Geometry in a 512-unit box.
const LENS = { cx: 222, cy: 222, r: 128, stroke: 36 };
const HANDLE = { x1: 318, y1: 318, x2: 420, y2: 420, width: 56 };
const CROSS = { cx: 222, cy: 222, arm: 74, half: 26 };
const CORNER = 104;

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

function sdRoundRect(x: number, y: number, cx: number, cy: number, hw: number, hh: number, r: number): number {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

function sdSegment(x: number, y: number, s: typeof HANDLE): number {
  const dx = s.x2 - s.x1;
  const dy = s.y2 - s.y1;
  const t = clamp01(((x - s.x1) * dx + (y - s.y1) * dy) / (dx * dx + dy * dy));
  return Math.hypot(x - (s.x1 + t * dx), y - (s.y1 + t * dy)) - s.width / 2;
}

/** Layers as signed distances (negative inside) in icon units. */
function layers(x: number, y: number, maskable: boolean): { d: number; color: Rgb }[] {
  const bg = maskable ? -1e9 : sdRoundRect(x, y, 256, 256, 256, 256, CORNER);
  // Maskable icons keep their content inside the central 80% safe circle.
  const s = maskable ? 0.72 : 1;
  const u = (x - 256) / s + 256 + (maskable ? 18 : 0);
  const v = (y - 256) / s + 256 + (maskable ? 18 : 0);
  const ring = Math.abs(Math.hypot(u - LENS.cx, v - LENS.cy) - LENS.r) - LENS.stroke / 2;
  const handle = sdSegment(u, v, HANDLE);
  const cross = Math.min(
    sdRoundRect(u, v, CROSS.cx, CROSS.cy, CROSS.arm, CROSS.half, 8),
    sdRoundRect(u, v, CROSS.cx, CROSS.cy, CROSS.half, CROSS.arm, 8),
  );
  return [
    { d: bg, color: BG },
    { d: Math.min(ring, handle) * s, color: WHITE },
    { d: cross * s, color: MINT },
  ];
}

function render(size: number, maskable: boolean): Buffer {
  const px = new Uint8Array(size * size * 4);
  const unitsPerPx = 512 / size;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const x = (i + 0.5) * unitsPerPx;
      const y = (j + 0.5) * unitsPerPx;
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (const layer of layers(x, y, maskable)) {
        const cover = clamp01(0.5 - layer.d / unitsPerPx); // analytic anti-aliasing over one pixel
        if (layer.color === BG) {
          [r, g, b] = layer.color;
          a = cover;
        } else {
          r += (layer.color[0] - r) * cover;
          g += (layer.color[1] - g) * cover;
          b += (layer.color[2] - b) * cover;
        }
      }
      const o = (j * size + i) * 4;
      px[o] = Math.round(r);
      px[o + 1] = Math.round(g);
      px[o + 2] = Math.round(b);
      px[o + 3] = Math.round(a * 255);
    }
  }
  return encodePng(size, size, px);
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const body = Buffer.concat([head.subarray(4), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([head.subarray(0, 4), body, crc]);
}

/** RGBA, 8 bits per channel, no filtering: small enough for flat artwork. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0))]);
}

function hex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

export function iconSvg(): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" role="img" aria-label="MedFact Lens">
  <rect width="512" height="512" rx="${CORNER}" fill="${hex(BG)}"/>
  <circle cx="${LENS.cx}" cy="${LENS.cy}" r="${LENS.r}" fill="none" stroke="${hex(WHITE)}" stroke-width="${LENS.stroke}"/>
  <line x1="${HANDLE.x1}" y1="${HANDLE.y1}" x2="${HANDLE.x2}" y2="${HANDLE.y2}" stroke="${hex(WHITE)}" stroke-width="${HANDLE.width}" stroke-linecap="round"/>
  <rect x="${CROSS.cx - CROSS.arm}" y="${CROSS.cy - CROSS.half}" width="${CROSS.arm * 2}" height="${CROSS.half * 2}" rx="8" fill="${hex(MINT)}"/>
  <rect x="${CROSS.cx - CROSS.half}" y="${CROSS.cy - CROSS.arm}" width="${CROSS.half * 2}" height="${CROSS.arm * 2}" rx="8" fill="${hex(MINT)}"/>
</svg>
`;
}

export function writeIcons(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string | Buffer][] = [
    ['icon.svg', iconSvg()],
    ['icon-192.png', render(192, false)],
    ['icon-512.png', render(512, false)],
    ['icon-maskable-512.png', render(512, true)],
    ['apple-touch-icon-180.png', render(180, true)],
  ];
  for (const [name, data] of files) writeFileSync(join(dir, name), data);
  return files.map(([name]) => name);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const written = writeIcons(join(import.meta.dirname, '..', 'public', 'icons'));
  console.log(`wrote ${written.join(', ')} to public/icons/`);
}
