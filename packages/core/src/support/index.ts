export { withinDeadline } from './withinDeadline.js';
