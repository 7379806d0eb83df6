import QRCode from "qrcode";
import { escapeHtml } from "./live-page.ts";
import type { MachineInfo } from "./machine-routes.ts";

/**
 * The printable sheet of check-in QR codes (`GET /qr`): one code per machine,
 * each pointing at `<origin>/checkin/<machine>`, drawn as SVG on the server
 * (no script, prints sharp at any size). The origin is the one the instructor
 * opened the sheet on, so the codes work on whatever address the phones use.
 */
export function createQrSheet(options: { template: string; machines: () => MachineInfo[] }) {
  const svgs = new Map<string, Promise<string>>(); // by URL: the same URL always gives the same code

  const qrSvg = (url: string): Promise<string> => {
    let svg = svgs.get(url);
    if (svg === undefined) {
      // Medium error correction: a sheet taped to a machine gets dirty.
      svg = QRCode.toString(url, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
      svgs.set(url, svg);
      if (svgs.size > 500) svgs.delete(svgs.keys().next().value!);
    }
    return svg;
  };

  return async function render(origin: string): Promise<string> {
    const figures = await Promise.all(
      options.machines().map(async (machine) => {
        const url = `${origin}/checkin/${encodeURIComponent(machine.id)}`;
        const svg = (await qrSvg(url)).replace("<svg ", '<svg role="img" aria-hidden="true" ');
        return (
          `<figure class="qr" data-machine="${escapeHtml(machine.id)}">${svg}` +
          `<figcaption><strong>${escapeHtml(machine.name)}</strong>` +
          `<span class="qr-id">${escapeHtml(machine.id)}</span>` +
          `<span class="qr-url">${escapeHtml(url)}</span></figcaption></figure>`
        );
      }),
    );
    return options.template.replace("<!--maskinport-qr-codes-->", () => figures.join("\n"));
  };
}
