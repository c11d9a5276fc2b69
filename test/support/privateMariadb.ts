// One implementation for the fault tests and `npm run faults`: the workspace package owns it.
export { PrivateMariadb } from '../../scripts/faults/src/privateMariadb.js';
