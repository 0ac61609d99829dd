// Writes docs/asyncapi.yaml from the contracts: `npm run contracts:catalogue`.
// libs/contracts/src/asyncapi.spec.ts fails while the committed file differs from what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { buildAsyncApiDocument } from '../src/asyncapi';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const ASYNCAPI_FILE = path.join(REPO_ROOT, 'docs', 'asyncapi.yaml');

const { version } = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
const document = buildAsyncApiDocument({ version });
const header = '# Generated from libs/contracts by `npm run contracts:catalogue`. Do not edit: change the contracts and regenerate.\n';
// No line folding (long regex patterns stay on one line), no YAML anchors for repeated objects, and
// YAML 1.1 quoting, so that no parser reads an example's timestamp or "yes" as anything but a string.
writeFileSync(ASYNCAPI_FILE, header + stringify(document, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false }));
console.log(`wrote ${path.relative(REPO_ROOT, ASYNCAPI_FILE)}: ${Object.keys(document.channels).length} channels, ${Object.keys(document.components.messages).length} messages`);
