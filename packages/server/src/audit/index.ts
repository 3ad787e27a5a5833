export { type AuditLog, type AuditType, createAuditLog } from './audit-log.js';
