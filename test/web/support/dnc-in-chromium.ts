import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { type SimulatedGateway, startSimulatedGateway } from "../dnc/sim-gateway.ts";
import { launchChromium } from "./chromium.ts";
import { PASSWORD } from "./fake-authenticator.ts";

// The program upload page (/dnc) in Chromium against the gateway's DNC line
// to a simulated control (test/web/dnc/sim-gateway.ts), for the tests that
// drive it by mouse (dnc/upload-page) and by keyboard (keyboard).

/** A sound Fanuc program (test/dnc/programs/fanuc-O1234.nc), as a file picked in the page holds it. */
export const GOOD_PROGRAM = readFileSync(
  new URL("../../dnc/programs/fanuc-O1234.nc", import.meta.url),
  "latin1",
);
/** The same with line 6 ("T0101") in lower case: an error at line 6, column 1. */
export const PROGRAM_WITH_ERROR_AT_LINE_6 = GOOD_PROGRAM.split("\n")
  .map((line, i) => (i === 5 ? line.toLowerCase() : line))
  .join("\n");

/**
 * A control that stores 150 characters a second into a 128-byte buffer: on a
 * 9600 baud line it fills and says XOFF, so a transfer is still running when
 * a test pauses, cancels or stops it.
 */
export const SLOW_CONTROL = { storeCharsPerSecond: 150, bufferBytes: 128 } as const;

export type DncInChromium = { gateway: SimulatedGateway; page: Page; close(): Promise<void> };

/** The simulated gateway on a `baud` line and a fresh Chromium page; `close` ends both. */
export async function openDncInChromium(
  baud: 9600 | 115200,
  control: Parameters<typeof startSimulatedGateway>[1] = {},
): Promise<DncInChromium> {
  const gateway = await startSimulatedGateway(baud, control);
  try {
    const browser = await launchChromium();
    const page = await browser.context.newPage();
    return {
      gateway,
      page,
      close: async () => {
        await browser.close();
        await gateway.close();
      },
    };
  } catch (err) {
    await gateway.close();
    throw err;
  }
}

/**
 * Logs in through the API in the browser's own context, so the cookie lands
 * in the browser (the fake authenticator's users: ola, kari). Returns the
 * answer's status for the test to check.
 */
export async function logInThroughApi(
  page: Page,
  baseUrl: string,
  username: string,
  password = PASSWORD,
): Promise<number> {
  const login = await page.request.post(`${baseUrl}/api/login`, { data: { username, password } });
  return login.status();
}
