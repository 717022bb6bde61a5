import type { ReactNode } from 'react';
import type { HubOverview } from '../../../src/client/hub-client';
import { useHubMutation } from '../hub/queries';
import { queryKeys } from '../hub/query-keys';
import { Switch } from '../ui/Switch';
import { ErrorMessage } from '../ui/status';
import { lanAddress } from './lan';

/**
 * Says plainly whether other computers can reach this hub, with the one switch that changes it.
 * Share links point at the LAN address only while it is visible.
 */
export function LanVisibility({ overview }: { overview: HubOverview }): ReactNode {
  const update = useHubMutation(
    (client, lanVisible: boolean) => client.updateSettings({ lanVisible }),
    [queryKeys.overview, queryKeys.settings],
  );
  const visible = overview.lanVisible;
  return (
    <section className={`lan-visibility ${visible ? 'is-visible' : 'is-hidden'}`} aria-label="LAN visibility">
      <p className="lan-text">
        {visible ? `Visible on the LAN at ${lanAddress(overview)}` : 'Only this computer'}
      </p>
      <Switch
        label="Visible on the LAN"
        checked={update.isPending ? update.variables : visible}
        disabled={update.isPending}
        onChange={(checked) => update.mutate(checked)}
      />
      {update.isError && <ErrorMessage error={update.error} />}
    </section>
  );
}
