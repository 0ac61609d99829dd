#!/usr/bin/env node
// `paystate-ops`: runs the TypeScript sources through tsx, as `npm run ops` does.
require('tsx/cjs/api').register();
require('../src/main.ts');
