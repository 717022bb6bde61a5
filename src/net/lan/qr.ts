/**
 * A join URL as a QR code, for a phone's camera: SVG or PNG for the UI, block characters for a
 * terminal (`boardhub share qr`). Medium error correction: readable off a projector or a screen
 * with glare, still small for a ~300-character link with its token.
 */
export type QrFormat = 'svg' | 'png' | 'terminal';
export const QR_FORMATS: readonly QrFormat[] = ['svg', 'png', 'terminal'];

export async function renderQr(text: string, format: 'png'): Promise<Buffer>;
export async function renderQr(text: string, format: 'svg' | 'terminal'): Promise<string>;
export async function renderQr(text: string, format: QrFormat): Promise<string | Buffer>;
export async function renderQr(text: string, format: QrFormat): Promise<string | Buffer> {
  // Loaded on first use: most hubs never draw a QR code, and the serving process stays smaller.
  const { default: QRCode } = await import('qrcode');
  const errorCorrectionLevel = 'M';
  switch (format) {
    case 'png':
      return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel, margin: 2, scale: 6 });
    case 'svg':
      return QRCode.toString(text, { type: 'svg', errorCorrectionLevel, margin: 2 });
    case 'terminal':
      return QRCode.toString(text, { type: 'terminal', errorCorrectionLevel, small: true });
  }
}
