export { PRUNE_LOCK, type PruneResult, prune, runMaintenance, startMaintenance } from './maintenance.js';
