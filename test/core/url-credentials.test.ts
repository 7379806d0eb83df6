import { describe, expect, it } from "vitest";
import { redactUrl, redactUrlCredentials, redactValueCredentials } from "../../src/core/url-credentials.ts";

describe("redactUrl (a URL for a log line)", () => {
  it.each([
    ["mqtt://gw:hunter2@broker.lan:1883", "mqtt://broker.lan:1883"],
    ["http://admin:hunter2@influx:8086/", "http://influx:8086"],
    ["https://token@influx.example/api/v1", "https://influx.example/api/v1"],
    // The last @ ends the credentials: a password holding an @ or a / is dropped whole.
    ["mqtts://gw:p@ss/word@broker:8883", "mqtts://broker:8883"],
    ["ws://broker:9001/mqtt", "ws://broker:9001/mqtt"],
  ])("%s → %s", (url, shown) => {
    expect(redactUrl(url, "MQTT")).toBe(shown);
    expect(redactUrl(url, "MQTT")).not.toContain("hunter2");
  });

  it("names the service instead of showing a URL it cannot parse", () => {
    // Both parse as a URL (scheme `gw:` / `admin:`) with the password in the path.
    expect(redactUrl("gw:hunter2@broker", "MQTT")).toBe("<unparseable MQTT URL>");
    expect(redactUrl("admin:hunter2@influx:8086", "InfluxDB")).toBe("<unparseable InfluxDB URL>");
    expect(redactUrl("not a url", "MQTT")).toBe("<unparseable MQTT URL>");
    expect(redactUrl("", "InfluxDB")).toBe("<unparseable InfluxDB URL>");
  });
});

describe("redactUrlCredentials (URLs inside a message)", () => {
  it("replaces each URL's credentials with *** and leaves the rest of the message", () => {
    expect(
      redactUrlCredentials('mqtt.url: got "mqtt://gw:hunter2@broker:1883"\nweb.url: got "http://a:b@c"'),
    ).toBe('mqtt.url: got "mqtt://***@broker:1883"\nweb.url: got "http://***@c"');
  });

  it("covers a password with a space, a slash or an @ of its own", () => {
    expect(redactUrlCredentials("at mqtt://gw:a b/c@d@broker now")).toBe("at mqtt://***@broker now");
  });

  it("leaves text without credentials as it is", () => {
    for (const text of ["", "mqtt://broker:1883", "mail me@example.org", "no url here"]) {
      expect(redactUrlCredentials(text)).toBe(text);
    }
  });
});

describe("redactValueCredentials (one value a person wrote)", () => {
  it("hides everything between :// and the last @, quotes and line breaks too", () => {
    expect(redactValueCredentials('mqtt://gw:pa"ss\nword@broker:1883')).toBe("mqtt://***@broker:1883");
  });

  it("leaves a value without scheme://…@ as it is", () => {
    for (const value of ["fast", "me@example.org", "mqtt://broker", "@mqtt://broker"]) {
      expect(redactValueCredentials(value)).toBe(value);
    }
  });
});
