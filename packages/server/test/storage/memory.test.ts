import { createMemoryStorage, createStorage } from '../../src/storage/index.js';
import { describeStorageConformance } from './conformance.js';

describeStorageConformance('memory', async () => createMemoryStorage());
describeStorageConformance('memory via createStorage', () => createStorage({ driver: 'memory' }));
