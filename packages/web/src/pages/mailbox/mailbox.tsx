import { useEffect, useState } from 'preact/hooks';
import { listMailbox, type MailboxMail } from '../../api/mailbox.js';
import { useUiConfig } from '../../api/ui-config.js';
import { Page } from '../../components/page.js';
import { Status } from '../../components/status.js';
import { Cell, Table } from '../../components/table.js';
import { TimeText } from '../../components/time-cell.js';
import { useNow } from '../../components/use-now.js';
import { messageOf } from '../../lib/errors.js';
import { MailText } from './mail-text.js';

/** How often the open page looks for new mail. */
const POLL_MS = 3000;

/**
 * `#/mailbox` (demo only, when `ui.mailbox` is set): what the front desk mailed — reset links,
 * verification links — newest first, and one mail's text with its links clickable. The demo's
 * mailbox lives on loopback; a real deployment has none.
 */
export function Mailbox() {
  const config = useUiConfig();
  const now = useNow(15_000);
  const url = config?.mailbox;
  const [mails, setMails] = useState<MailboxMail[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [openId, setOpenId] = useState<number | undefined>(undefined);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (url === undefined) return;
    let live = true;
    const load = () => {
      // A tab in the background does not poll; it catches up when shown (or on Refresh).
      if (document.visibilityState === 'hidden') return;
      listMailbox(url).then(
        (list) => {
          if (!live) return;
          setMails(list);
          setError(undefined);
        },
        (err: unknown) => live && setError(messageOf(err)),
      );
    };
    load();
    const timer = setInterval(load, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [url, tick]);

  const open = mails?.find((m) => m.id === openId);
  const list = mails ?? [];
  return (
    <Page
      title="Mailbox"
      testId="page-mailbox"
      intro="The demo's mailbox: every mail the front desk sent, as its recipient would read it (text only)."
    >
      {config !== undefined && url === undefined ? (
        <div class="panel">
          <p data-testid="mailbox-none">
            This front desk has no demo mailbox: its mail goes to real inboxes.
          </p>
        </div>
      ) : (
        <section class="panel" aria-labelledby="mailbox-list-title">
          <h2 id="mailbox-list-title">Received</h2>
          <Table
            testId="mailbox-list"
            busy={mails === undefined && error === undefined}
            columns={['Subject', 'To', 'From', 'Received', { label: 'Actions', hidden: true }]}
            empty="No mail yet."
            isEmpty={list.length === 0}
          >
            {list.map((m) => (
              <tr
                key={m.id}
                data-testid="mail-row"
                data-id={m.id}
                data-to={m.to.join(' ')}
                data-subject={m.subject}
                aria-current={m.id === openId ? 'true' : undefined}
              >
                <Cell label="Subject" header wrap>
                  {m.subject || <span class="muted">(no subject)</span>}
                </Cell>
                <Cell label="To" wrap>
                  {m.to.join(', ')}
                </Cell>
                <Cell label="From" wrap>
                  {m.from}
                </Cell>
                <Cell label="Received">
                  <TimeText value={Math.floor(m.receivedAt / 1000)} now={now} past />
                </Cell>
                <Cell label="Actions" actions>
                  <button
                    type="button"
                    class="button button-small button-secondary"
                    aria-label={`Open the mail “${m.subject}” to ${m.to.join(', ')}`}
                    onClick={() => setOpenId(m.id)}
                    data-testid="mail-open"
                  >
                    Open
                  </button>
                </Cell>
              </tr>
            ))}
          </Table>
          <div class="actions">
            <button
              type="button"
              class="button button-secondary"
              onClick={() => setTick((t) => t + 1)}
              data-testid="mailbox-refresh"
            >
              Refresh
            </button>
          </div>
          <Status tone="error" testId="mailbox-error">
            {error}
          </Status>
        </section>
      )}
      {open ? (
        <article
          class="panel mail-view"
          aria-labelledby="mail-view-title"
          data-testid="mail-view"
          data-id={open.id}
        >
          <h2 id="mail-view-title">{open.subject || '(no subject)'}</h2>
          <dl class="mail-headers">
            <dt>From</dt>
            <dd>{open.from}</dd>
            <dt>To</dt>
            <dd>{open.to.join(', ')}</dd>
            <dt>Received</dt>
            <dd>
              <TimeText value={Math.floor(open.receivedAt / 1000)} now={now} past />
            </dd>
          </dl>
          <MailText text={open.text} />
        </article>
      ) : null}
    </Page>
  );
}
