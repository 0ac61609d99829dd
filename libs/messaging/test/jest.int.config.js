// The idempotent consumer against the real test stack. A project of its own (messaging-int), so
// the test kit, which itself uses @paystate/messaging, is no dependency of messaging: no cycle.
const { jestConfig } = require('../../../jest.preset');
module.exports = { ...jestConfig(__dirname, 'int'), displayName: 'messaging:int' };
