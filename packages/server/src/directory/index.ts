export { deleteAudience, saveAudience } from './audiences.js';
export { deleteRole, saveRole } from './roles.js';
