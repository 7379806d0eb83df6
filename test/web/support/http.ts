import { request } from "node:http";

export type HttpResult = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
};

/** One plain HTTP request (no fetch: we want to send odd methods and raw paths exactly as written). */
export function http(
  baseUrl: string,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, path, method: options.method ?? "GET", headers: options.headers },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

export async function getJson(
  baseUrl: string,
  path: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await http(baseUrl, path);
  return { status: res.status, json: JSON.parse(res.body) as Record<string, unknown> };
}
