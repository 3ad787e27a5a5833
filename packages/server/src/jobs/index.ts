export { runMaintenance, startMaintenance } from './maintenance.js';
