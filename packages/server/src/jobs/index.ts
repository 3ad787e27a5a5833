export {
  PRUNE_LOCK,
  type PruneDeps,
  type PruneResult,
  prune,
  type RunMaintenanceDeps,
  runMaintenance,
  startMaintenance,
} from './maintenance.js';
