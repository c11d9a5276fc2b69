export { errorChain } from './errorChain.js';
export { TurnBatches } from './turnBatches.js';
export { withinDeadline } from './withinDeadline.js';
