import { Page } from '../../components/page.js';
import { StepUpHost } from '../../components/step-up.js';
import { href } from '../../router.js';
import { AdminAudiences } from './audiences.js';
import { AdminAudit } from './audit.js';
import { AdminClients } from './clients.js';
import { AdminKeys } from './keys.js';
import { AdminRoles } from './roles.js';
import { AdminSessions } from './sessions.js';
import { AdminUsers } from './users.js';

const SECTIONS = [
  { id: 'users', label: 'Users', view: AdminUsers },
  { id: 'clients', label: 'Clients', view: AdminClients },
  { id: 'audiences', label: 'Audiences & scopes', view: AdminAudiences },
  { id: 'roles', label: 'Roles', view: AdminRoles },
  { id: 'keys', label: 'Signing keys', view: AdminKeys },
  { id: 'sessions', label: 'Live sessions', view: AdminSessions },
  { id: 'audit', label: 'Audit log', view: AdminAudit },
] as const;

interface AdminProps {
  /** The part of the route after /admin/, e.g. 'keys'. */
  section: string;
}

/** The admin console (scope `admin`, the manager role): one section at a time. */
export function Admin({ section }: AdminProps) {
  const active = SECTIONS.find((s) => s.id === section) ?? SECTIONS[0];
  const View = active.view;
  return (
    <Page title="Admin console" testId="page-admin">
      <nav class="subnav" aria-label="Admin sections">
        <ul>
          {SECTIONS.map((s) => (
            <li key={s.id}>
              <a
                href={href(`/admin/${s.id}`)}
                aria-current={s.id === active.id ? 'page' : undefined}
                data-testid={`admin-tab-${s.id}`}
              >
                {s.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <StepUpHost route={`/admin/${active.id}`}>
        <View />
      </StepUpHost>
    </Page>
  );
}
