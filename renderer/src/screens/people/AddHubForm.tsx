import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { useHubMutation } from '../../hub/queries';
import { queryKeys } from '../../hub/query-keys';
import { ErrorMessage } from '../../ui/status';

const DEFAULT_PORT = 7420;

/** "192.168.1.20:7420" or "192.168.1.20" and a port field; an IPv6 address goes in brackets. */
export function parseHubAddress(address: string, portField: string): { host: string; port: number } | null {
  const trimmed = address.trim();
  const withPort = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(trimmed);
  const host = (withPort ? withPort[1]! : trimmed).replace(/^\[|\]$/g, '');
  const port = Number(withPort ? withPort[2] : portField || DEFAULT_PORT);
  if (host === '' || /\s/.test(host) || !Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { host, port };
}

/** Where multicast is blocked (client isolation, firewalls), a hub can be added by its address. */
export function AddHubForm(): ReactNode {
  const addressId = useId();
  const portId = useId();
  const [address, setAddress] = useState('');
  const [port, setPort] = useState(String(DEFAULT_PORT));
  const [invalid, setInvalid] = useState(false);
  const add = useHubMutation(
    (client, target: { host: string; port: number }) => client.addPeer(target.host, target.port),
    [queryKeys.peers],
  );

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const target = parseHubAddress(address, port);
    setInvalid(target === null);
    if (target) add.mutate(target, { onSuccess: () => setAddress('') });
  };

  return (
    <section className="panel" aria-labelledby="add-hub-title">
      <h2 id="add-hub-title">Add a hub by address</h2>
      <p className="hint">
        If a hub does not show up by itself (some Wi-Fi networks block discovery), add it here. It must prove
        it holds the key it shows before it is listed.
      </p>
      <form className="inline-form" onSubmit={submit}>
        <div className="form-row">
          <div className="field grow">
            <label htmlFor={addressId}>Address</label>
            <input
              id={addressId}
              value={address}
              placeholder="192.168.1.20"
              spellCheck={false}
              aria-invalid={invalid}
              onChange={(event) => setAddress(event.currentTarget.value)}
            />
          </div>
          <div className="field port">
            <label htmlFor={portId}>Port</label>
            <input
              id={portId}
              inputMode="numeric"
              value={port}
              onChange={(event) => setPort(event.currentTarget.value)}
            />
          </div>
          <button type="submit" className="primary" disabled={add.isPending || address.trim() === ''}>
            {add.isPending ? 'Checking the hub…' : 'Add hub'}
          </button>
        </div>
        {invalid && (
          <p className="error-message" role="alert">
            Enter an address like 192.168.1.20 and a port between 1 and 65535.
          </p>
        )}
        {add.isError && <ErrorMessage error={add.error} />}
        {add.isSuccess && (
          <p className="hint" role="status">
            Added {add.data.name}.
          </p>
        )}
      </form>
    </section>
  );
}
