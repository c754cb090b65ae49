import { gzipSync } from 'node:zlib';

/** A minimal ustar writer (regular files only) for diagnostic bundles: one .tar.gz, no deps. */
export function tarGz(files: { name: string; data: string | Uint8Array; mtimeMs?: number }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const f of files) {
    const data = typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : Buffer.from(f.data);
    const header = Buffer.alloc(512);
    const name = f.name.replace(/[^A-Za-z0-9._/-]/g, '_').slice(0, 99);
    header.write(name, 0, 'utf8');
    header.write('0000644\0', 100); // mode
    header.write('0000000\0', 108); // uid
    header.write('0000000\0', 116); // gid
    header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write(
      `${Math.floor((f.mtimeMs ?? Date.now()) / 1000)
        .toString(8)
        .padStart(11, '0')}\0`,
      136,
    );
    header.write('        ', 148); // checksum placeholder (spaces while summing)
    header.write('0', 156); // regular file
    header.write('ustar\u000000', 257);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
