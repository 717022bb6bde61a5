import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useHubClient } from '../hub/client-context';
import { ErrorMessage, Loading } from './status';

/**
 * A link as a QR code. The hub draws the SVG; it is shown as an <img> with a data: URL, which the
 * page's CSP allows (inline SVG markup would need 'unsafe-inline' styles and trust in its text).
 */
export function QrImage({ url, label }: { url: string; label: string }): ReactNode {
  const client = useHubClient();
  // Never cached beyond this dialog: the URL holds a secret token.
  const qr = useQuery({
    queryKey: ['qr', url],
    queryFn: () => client.qrSvg(url),
    gcTime: 0,
    staleTime: Infinity,
  });
  if (qr.isPending) return <Loading label="Drawing the QR code…" />;
  if (qr.isError) return <ErrorMessage error={qr.error} retry={() => void qr.refetch()} />;
  return (
    <img className="qr" alt={label} src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(qr.data)}`} />
  );
}
