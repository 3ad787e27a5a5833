import { createMemoryCoordinator } from '../src/index.js';
import { coordinatorSuite } from './coordinator-suite.js';

coordinatorSuite('memory', async (clock) => createMemoryCoordinator({ clock }));
