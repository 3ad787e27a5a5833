import type { AuthorizeDetails } from '@keycard/protocol';
import { doorWords, scopeWords } from '../../lib/scope-words.js';

/** What the app asks for, in plain words: what it may know and do, and which doors it may open. */
export function RequestSummary({ details }: { details: AuthorizeDetails }) {
  return (
    <div class="authorize-summary">
      <h2 id="authorize-asks">What {details.client.name} asks for</h2>
      {details.scopes.length === 0 ? (
        <p class="muted" data-testid="authorize-no-scopes">
          Nothing beyond signing you in.
        </p>
      ) : (
        <ul class="authorize-list" aria-labelledby="authorize-asks" data-testid="authorize-scopes">
          {details.scopes.map((scope) => (
            <li key={scope} data-scope={scope}>
              {scopeWords(scope)}
            </li>
          ))}
        </ul>
      )}
      {details.audiences.length > 0 ? (
        <>
          <h3 id="authorize-doors">Doors its cards would open</h3>
          <ul
            class="authorize-list authorize-doors"
            aria-labelledby="authorize-doors"
            data-testid="authorize-doors"
          >
            {details.audiences.map((door) => (
              <li key={door.id} data-door={door.id}>
                {doorWords(door)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p class="small muted">
        App id <code>{details.client.id}</code>
        {details.client.firstParty ? ' · part of this hotel' : ''}
      </p>
    </div>
  );
}
