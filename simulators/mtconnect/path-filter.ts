import type { ObservationFilter } from "./agent-buffer.ts";
import type { SimDataItem, SimDevice } from "./device-model.ts";

// `?path=` of /current and /sample: the XPath subset clients use in practice —
// steps `//Element` or `//Element[@attr="value"]` chained and joined with `|`:
//   //Device[@name="mill-2"]            //DataItem[@type="EXECUTION"]
//   //Axes//Rotary                      //Device[@uuid="…"]//DataItem[@category="CONDITION"]
// A step matches the device, a component on the item's path, or the DataItem
// itself, in order (`/` is read as `//`). Anything else is INVALID_XPATH.

export class XPathError extends Error {}

type Step = { element: string; attr?: string; value?: string };

const STEP = /^\/\/?([A-Za-z*][A-Za-z0-9_]*)(?:\[@([A-Za-z]+)\s*=\s*(?:"([^"]*)"|'([^']*)')\])?/;

function parseAlternative(text: string): Step[] {
  const steps: Step[] = [];
  let rest = text.trim();
  while (rest.length > 0) {
    const m = STEP.exec(rest);
    if (!m) throw new XPathError(`unsupported path expression at "${rest}"`);
    const step: Step = { element: m[1]! };
    if (m[2] !== undefined) {
      step.attr = m[2];
      step.value = m[3] ?? m[4] ?? "";
    }
    steps.push(step);
    rest = rest.slice(m[0].length);
  }
  if (steps.length === 0) throw new XPathError("empty path expression");
  return steps;
}

type Node = { element: string; attrs: Record<string, string | undefined> };

function nodesOf(device: SimDevice, item: SimDataItem): Node[] {
  return [
    { element: "Device", attrs: { id: device.id, name: device.name, uuid: device.uuid } },
    ...item.path.map((c) => ({ element: c.element, attrs: { id: c.id, name: c.name } })),
    {
      element: "DataItem",
      attrs: {
        id: item.id,
        name: item.name,
        type: item.type,
        subType: item.subType,
        category: item.category,
      },
    },
  ];
}

function matches(steps: readonly Step[], nodes: readonly Node[]): boolean {
  let at = 0;
  for (const step of steps) {
    let found = false;
    for (; at < nodes.length; at++) {
      const node = nodes[at]!;
      if (step.element !== "*" && step.element !== node.element) continue;
      if (step.attr !== undefined && node.attrs[step.attr] !== step.value) continue;
      found = true;
      at++;
      break;
    }
    if (!found) return false;
  }
  return true;
}

/** A filter for `path`, or undefined for no path. Throws XPathError for what it cannot read. */
export function pathFilter(path: string | null): ObservationFilter | undefined {
  if (path === null || path.trim() === "") return undefined;
  const alternatives = path.split("|").map(parseAlternative);
  return (device, item) => {
    const nodes = nodesOf(device, item);
    return alternatives.some((steps) => matches(steps, nodes));
  };
}
