/**
 * The file name Save As proposes for a report the server named (Content-Disposition). The server is
 * untrusted: it could propose `.bashrc`, `package.json`, `../../x`, a 5000-character name, or
 * `report\u202Efdp.exe` that reads as something else. What comes back is short, visible and ends with
 * the format's extension — or undefined, and the caller builds a name from the query.
 */
import type { ReportFormat } from './types';

export const MAX_DOWNLOAD_NAME = 80;

// controls, bidi controls, zero-width characters, line/paragraph separators, BOM
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\u2028\u2029\ufeff]/g;
// names that configure a tool when they land in a workspace or a home directory (compared without extension)
const SENSITIVE = new Set([
  'package',
  'package-lock',
  'npm-shrinkwrap',
  'tsconfig',
  'jsconfig',
  'composer',
  'settings',
  'launch',
  'tasks',
  'extensions',
  'devcontainer',
  'eslint.config',
  'prettier.config',
  'renovate',
  'vercel',
  'firebase',
  'deno',
  'bunfig',
]);
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

export function safeDownloadName(serverName: string | undefined, format: ReportFormat): string | undefined {
  if (!serverName) return undefined;
  // fullwidth slashes and the like become what they look like before the path is cut off
  let name = serverName.normalize('NFKC').replace(INVISIBLE, '');
  name = name.split(/[/\\]/).pop() ?? '';
  name = name
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, ''); // no dotfile, no trailing dot (Windows)
  // the format decides the extension, whatever the server wrote (report.csv.exe, x.json for a csv)
  let stem = name.replace(/\.[A-Za-z0-9]{1,8}$/, '').replace(/[\s.]+$/, '');
  if (stem === '') return undefined;
  if (SENSITIVE.has(stem.toLowerCase()) || WINDOWS_DEVICE.test(stem)) stem = `cmu-report-${stem}`;
  const room = MAX_DOWNLOAD_NAME - format.length - 1;
  const chars = Array.from(stem); // code points: never half a surrogate pair
  if (chars.length > room) stem = chars.slice(0, room).join('').replace(/[\s.]+$/, '');
  return `${stem}.${format}`;
}
