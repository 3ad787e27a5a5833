export { deleteAudience, saveAudience } from './audiences.js';
export { createDirectoryCache, DIRECTORY_TTL_MS, type DirectoryCache } from './cache.js';
export { deleteRole, saveRole } from './roles.js';
