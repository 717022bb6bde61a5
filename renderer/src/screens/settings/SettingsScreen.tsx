import type { ReactNode } from 'react';
import { LanVisibility } from '../../app/LanVisibility';
import { useOverview, useSettings } from '../../hub/queries';
import { ErrorMessage, Loading } from '../../ui/status';
import { AdminTokenReset } from './AdminTokenReset';
import { HubSettingsForm } from './HubSettingsForm';

export function SettingsScreen(): ReactNode {
  const settings = useSettings();
  const overview = useOverview();
  return (
    <section className="screen" aria-labelledby="settings-title">
      <header className="screen-header">
        <h1 id="settings-title">Settings</h1>
        {overview.data && (
          <p className="screen-lead">
            Boardhub {overview.data.version} · data folder{' '}
            <span className="mono">{overview.data.dataDir}</span>
          </p>
        )}
      </header>
      <section className="panel" aria-labelledby="lan-title">
        <h2 id="lan-title">Visibility on the LAN</h2>
        <p className="hint">
          While visible, other computers on this network can reach the hub and find it by name; share links
          still decide who gets in. Hidden, only this computer can connect.
        </p>
        {overview.isPending ? (
          <Loading label="Loading…" />
        ) : overview.isError ? (
          <ErrorMessage error={overview.error} retry={() => void overview.refetch()} />
        ) : (
          <LanVisibility overview={overview.data} />
        )}
      </section>
      <section className="panel" aria-labelledby="hub-settings-title">
        <h2 id="hub-settings-title">Hub</h2>
        {settings.isPending ? (
          <Loading label="Loading settings…" />
        ) : settings.isError ? (
          <ErrorMessage error={settings.error} retry={() => void settings.refetch()} />
        ) : (
          <HubSettingsForm key={JSON.stringify(settings.data)} settings={settings.data} />
        )}
      </section>
      <AdminTokenReset />
    </section>
  );
}
