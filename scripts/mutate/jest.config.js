// The Jest set-up of the mutation runs: the repository's own transform and module mapping, as one
// project (Stryker's Jest runner runs one), with the test files each run names in its testMatch.
import { common } from '../../jest.config.js';

export default { ...common, rootDir: '../..', testTimeout: 60_000 };
