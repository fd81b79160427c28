/** The parts of an OpenAPI 3 document the sweep reads. */
interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  items?: Schema;
  format?: string;
}

interface Operation {
  parameters?: {
    name: string;
    in: "path" | "query" | "header" | "cookie";
    required?: boolean;
    schema?: Schema;
  }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
}

export interface Route {
  method: string;
  /** OpenAPI path, e.g. /api/products/{id}. */
  path: string;
  pathParams: string[];
  query: { name: string; schema: Schema }[];
  headers: string[];
  /** JSON body fields (name → schema) and which are required; undefined: no JSON body. */
  body?: { fields: Record<string, Schema>; required: string[] };
  multipart: boolean;
  secured: boolean;
}

/** Every operation of the document as a route the sweep can mutate. */
export function routesOf(document: { paths: Record<string, Record<string, Operation>> }): Route[] {
  const routes: Route[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      const params = op.parameters ?? [];
      const json = op.requestBody?.content?.["application/json"]?.schema;
      routes.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
        query: params
          .filter((p) => p.in === "query")
          .map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        headers: params.filter((p) => p.in === "header").map((p) => p.name),
        ...(json ? { body: { fields: json.properties ?? {}, required: json.required ?? [] } } : {}),
        multipart: Boolean(op.requestBody?.content?.["multipart/form-data"]),
        secured: Boolean(op.security?.length),
      });
    }
  }
  return routes;
}

export type { Schema };
