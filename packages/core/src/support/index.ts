export { TurnBatches } from './turnBatches.js';
export { withinDeadline } from './withinDeadline.js';
