export { deleteAudience, saveAudience } from './audiences.js';
export { createDirectoryCache, type DirectoryCache } from './cache.js';
export { deleteRole, saveRole } from './roles.js';
