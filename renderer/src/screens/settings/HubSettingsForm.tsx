import { type FormEvent, type ReactNode, useId, useState } from 'react';
import type { HubSettings, HubSettingsPatch } from '../../../../src/client/hub-client';
import { useHubMutation } from '../../hub/queries';
import { queryKeys } from '../../hub/query-keys';
import { ErrorMessage } from '../../ui/status';

const MINUTE = 60_000;

interface Draft {
  name: string;
  port: string;
  idleMinutes: string;
}

/** The changed fields as a patch, or a message saying what to fix. */
function toPatch(draft: Draft, saved: HubSettings): HubSettingsPatch | string {
  const name = draft.name.trim();
  const port = Number(draft.port);
  const idleMinutes = Number(draft.idleMinutes);
  if (name === '') return 'The hub needs a name.';
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    return 'The port is a whole number from 1 to 65535.';
  if (!Number.isFinite(idleMinutes) || idleMinutes < 1) return 'Unload after at least 1 minute.';
  const patch: HubSettingsPatch = {};
  if (name !== saved.name) patch.name = name;
  if (port !== saved.port) patch.port = port;
  const idleUnloadMs = Math.round(idleMinutes * MINUTE);
  if (idleUnloadMs !== saved.idleUnloadMs) patch.idleUnloadMs = idleUnloadMs;
  return patch;
}

export function HubSettingsForm({ settings }: { settings: HubSettings }): ReactNode {
  const id = useId();
  const [draft, setDraft] = useState<Draft>({
    name: settings.name,
    port: String(settings.port),
    idleMinutes: String(Math.round((settings.idleUnloadMs / MINUTE) * 100) / 100),
  });
  const [problem, setProblem] = useState<string | null>(null);
  const save = useHubMutation(
    (client, patch: HubSettingsPatch) => client.updateSettings(patch),
    [queryKeys.settings, queryKeys.overview],
  );
  const set = (name: keyof Draft) => (event: { currentTarget: { value: string } }) =>
    setDraft({ ...draft, [name]: event.currentTarget.value });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const patch = toPatch(draft, settings);
    setProblem(typeof patch === 'string' ? patch : null);
    if (typeof patch !== 'string' && Object.keys(patch).length > 0) save.mutate(patch);
  };

  return (
    <form className="settings-form" onSubmit={submit}>
      <div className="field">
        <label htmlFor={`${id}-name`}>Hub name</label>
        <input
          id={`${id}-name`}
          value={draft.name}
          maxLength={63}
          aria-describedby={`${id}-name-hint`}
          onChange={set('name')}
        />
        <p id={`${id}-name-hint`} className="hint">
          How other hubs and guests see this hub on the network.
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-port`}>Port</label>
        <input
          id={`${id}-port`}
          inputMode="numeric"
          value={draft.port}
          aria-describedby={`${id}-port-hint`}
          onChange={set('port')}
        />
        <p id={`${id}-port-hint`} className="hint">
          Applies the next time the hub starts.
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-idle`}>Unload idle boards after (minutes)</label>
        <input
          id={`${id}-idle`}
          inputMode="decimal"
          value={draft.idleMinutes}
          aria-describedby={`${id}-idle-hint`}
          onChange={set('idleMinutes')}
        />
        <p id={`${id}-idle-hint`} className="hint">
          A board nobody is connected to is saved and leaves memory after this long.
        </p>
      </div>
      {settings.restartRequired && (
        <p className="notice" role="status">
          Restart the hub to use the saved port ({settings.port}).
        </p>
      )}
      {settings.keyProtection === 'file' && (
        <p className="hint">
          Signing keys are kept in an owner-only file in the data folder (no system keychain is in use).
        </p>
      )}
      {problem && (
        <p className="error-message" role="alert">
          {problem}
        </p>
      )}
      {save.isError && <ErrorMessage error={save.error} />}
      {save.isSuccess && (
        <p className="hint" role="status">
          Saved.
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save settings'}
        </button>
      </div>
    </form>
  );
}
