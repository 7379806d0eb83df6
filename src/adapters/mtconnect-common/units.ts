// MTConnect units (upper case, as in Devices.xml) → the factor that turns a
// value into the catalogue unit of a signal. Only conversions the catalogue
// needs are listed; an item whose units are not here is taken as already in
// the catalogue unit (devices mislabel units more often than they send odd ones).

const TO_CATALOGUE: Record<string, Record<string, number>> = {
  "rev/min": { "REVOLUTION/MINUTE": 1, "REVOLUTION/SECOND": 60 },
  "%": { PERCENT: 1 },
  "mm/min": {
    "MILLIMETER/MINUTE": 1,
    "MILLIMETER/SECOND": 60,
    "INCH/MINUTE": 25.4,
    "INCH/SECOND": 25.4 * 60,
    "FOOT/MINUTE": 304.8,
  },
  mm: { MILLIMETER: 1, MICROMETER: 0.001, CENTIMETER: 10, INCH: 25.4 },
  deg: { DEGREE: 1, RADIAN: 180 / Math.PI },
};

/**
 * The factor from an MTConnect unit to a catalogue unit: 60 for
 * MILLIMETER/SECOND → mm/min. 1 when the unit is absent, the same, or not
 * convertible (see the note above).
 */
export function unitScale(mtUnits: string | undefined, catalogueUnit: string | undefined): number {
  if (mtUnits === undefined || catalogueUnit === undefined) return 1;
  return TO_CATALOGUE[catalogueUnit]?.[mtUnits.toUpperCase()] ?? 1;
}

/** Catalogue spelling of common MTConnect units, for values that keep their own unit (raw.* items). */
const SHORT: Record<string, string> = {
  "REVOLUTION/MINUTE": "rev/min",
  PERCENT: "%",
  "MILLIMETER/SECOND": "mm/s",
  "MILLIMETER/MINUTE": "mm/min",
  MILLIMETER: "mm",
  DEGREE: "deg",
  SECOND: "s",
  CELSIUS: "°C",
  AMPERE: "A",
  VOLT: "V",
  WATT: "W",
};

export function shortUnit(mtUnits: string | undefined): string | undefined {
  if (mtUnits === undefined) return undefined;
  return SHORT[mtUnits.toUpperCase()] ?? mtUnits;
}
