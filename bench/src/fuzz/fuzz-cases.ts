import type { Route, Schema } from "./openapi-routes.ts";

/** One malformed request: what it is, and its parts (the sender adds target and auth). */
export interface FuzzCase {
  route: string;
  what: string;
  method: string;
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Send with the admin's token, to get past authentication to the validation. */
  asAdmin: boolean;
}

/** Path values that are never a valid id (digits only, no leading zero) nor any enum. */
const BAD_SEGMENTS = [
  "abc",
  "-1",
  "0",
  "01",
  "1.5",
  "1e3",
  "0x10",
  " 1",
  "99999999999999999999999",
  "null",
  "%00",
  "%ff",
  "%",
  "%zz",
  "%2e%2e%2f",
  "..",
  "%2F",
  "😀",
  "1;drop",
  "1%20OR%201%3D1",
  "[]",
  "{}",
  "a".repeat(5_000),
  "%C0%AF",
  "1%0d%0aX-Injected:%201",
];

const HUGE = "x".repeat(200_000);

/** A value of the schema's type that validation accepts in shape (the mutations break it). */
function sample(schema: Schema, name: string): unknown {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.anyOf?.[0]) return sample(schema.anyOf[0], name);
  if (name === "email" || schema.format === "email") return "fuzz@example.com";
  switch (type) {
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return true;
    case "array":
      return [];
    case "object":
      return {};
    default:
      return name === "password" ? "fuzz-password-long" : "fuzz";
  }
}

/** A value of another JSON type than the schema's. */
function wrongType(schema: Schema): unknown[] {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const all: Record<string, unknown> = {
    string: "1",
    integer: "one",
    number: "1",
    boolean: "yes",
    array: {},
    object: [],
  };
  return [all[type ?? "string"] ?? 1, null, [1], { nested: true }, 1.5, -1, 1e308, true];
}

/** A placeholder that is well-formed but names nothing: a mutation elsewhere must decide. */
function placeholder(name: string): string {
  if (name === "id") return "999999999";
  return name.toLowerCase().includes("queue") ? "imports" : "00000000-0000-4000-8000-000000000000";
}

const fill = (path: string, values: Record<string, string>) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? placeholder(name));

const json = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8");

/**
 * The malformed requests for one route, each invalid by construction (a broken part plus,
 * for encodings and content types, an unknown field every strict schema refuses), so none
 * may change the database: wrong types, missing and extra fields, huge values, bad JSON and
 * bytes, bad content types, bad headers, bad path parameters and query strings.
 */
export function casesFor(route: Route): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const name = `${route.method} ${route.path}`;
  // Logging out with the admin's token would end the session every later case relies on.
  const admin = route.secured && route.path !== "/api/auth/logout";
  const base = fill(route.path, {});
  const add = (what: string, part: Partial<FuzzCase>) => {
    for (const asAdmin of admin ? [true, false] : [false]) {
      cases.push({
        route: name,
        what,
        method: route.method,
        target: base,
        headers: {},
        asAdmin,
        ...part,
      });
    }
  };
  for (const param of route.pathParams) {
    for (const bad of BAD_SEGMENTS)
      add(`path ${param}=${bad.slice(0, 20)}`, { target: fill(route.path, { [param]: bad }) });
  }
  for (const q of route.query) {
    const values = [
      ...wrongType(q.schema).map((v) => encodeURIComponent(JSON.stringify(v))),
      "",
      "%zz",
      "%ff%fe",
      "%00",
      "-1",
      "99999999999999999999",
      "x".repeat(10_000),
      "id%3BDROP%20TABLE%20products",
      "AAAA",
      "eyJ2IjoxLCJzIjoiaWQiLCJpIjoxZTMwMH0",
      Buffer.from('{"v":1,"s":"price","k":"x","i":1}').toString("base64url"),
      Buffer.from('{"__proto__":{"x":1},"v":1,"s":"id","i":1}').toString("base64url"),
      Buffer.from("[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]").toString("base64url"),
      Buffer.from('{"v":1,"s":"newest","k":"2024-99-99T99:99:99.999999Z","i":1}').toString(
        "base64url",
      ),
    ];
    for (const v of values)
      add(`query ${q.name}=${v.slice(0, 24)}`, { target: `${base}?${q.name}=${v}` });
    add(`query ${q.name} repeated`, { target: `${base}?${q.name}=1&${q.name}=2` });
  }
  if (route.method === "GET") {
    add("query unknown parameter", { target: `${base}?unexpected=1` });
    add("query bad encoding", { target: `${base}?%zz=%ff` });
  }
  if (route.body) {
    const { fields, required } = route.body;
    const valid = Object.fromEntries(Object.entries(fields).map(([k, s]) => [k, sample(s, k)]));
    const extra = { ...valid, unexpected: 1 };
    const jsonHeaders = { "content-type": "application/json" };
    const targets = ["PATCH", "DELETE"].includes(route.method) ? fill(route.path, {}) : base;
    const body = (what: string, bytes: Buffer, headers: Record<string, string> = jsonHeaders) =>
      add(`body ${what}`, { target: targets, headers, body: bytes });
    for (const [field, schema] of Object.entries(fields)) {
      for (const v of wrongType(schema))
        body(`${field}=${JSON.stringify(v).slice(0, 20)}`, json({ ...extra, [field]: v }));
      body(`${field} huge`, json({ ...extra, [field]: HUGE }));
    }
    for (const field of required) {
      const rest = { ...valid } as Record<string, unknown>;
      delete rest[field];
      body(`missing ${field}`, json(rest));
    }
    body("unknown field", json(extra));
    body("empty object", json({ unexpected: true }));
    body("array", json([extra]));
    body("null", Buffer.from("null"));
    body("number", Buffer.from("42"));
    body("string", Buffer.from('"x"'));
    body("empty", Buffer.alloc(0));
    body("truncated", Buffer.from('{"name":'));
    body("single quotes", Buffer.from("{'name':'x'}"));
    body("trailing garbage", Buffer.from(`${JSON.stringify(extra)}}}`));
    body("BOM", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json(extra)]));
    body(
      "invalid UTF-8",
      Buffer.concat([
        Buffer.from('{"name":"'),
        Buffer.from([0xff, 0xfe, 0xc0]),
        Buffer.from('","unexpected":1}'),
      ]),
    );
    body("lone surrogate", Buffer.from('{"name":"\\ud800","unexpected":1}'));
    body(
      "__proto__",
      Buffer.from(`{"__proto__":{"role":"admin"},${JSON.stringify(extra).slice(1)}`),
    );
    body(
      "constructor.prototype",
      Buffer.from(`{"constructor":{"prototype":{"x":1}},${JSON.stringify(extra).slice(1)}`),
    );
    body(
      "duplicate keys",
      Buffer.from(`{"unexpected":1,"unexpected":2,${JSON.stringify(valid).slice(1)}`),
    );
    body("1e309", Buffer.from(`{"priceCents":1e309,"stock":-0,${JSON.stringify(extra).slice(1)}`));
    body("deep nesting", Buffer.from(`${"[".repeat(200_000)}${"]".repeat(200_000)}`));
    body("deep objects", Buffer.from(`${'{"a":'.repeat(50_000)}1${"}".repeat(50_000)}`));
    body("over the body limit", Buffer.alloc(2 * 1024 * 1024, 0x20));
    for (const type of [
      "",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data",
      "multipart/form-data; boundary=x",
      "application/json; charset=utf-16",
      "application/jsonx",
      "application/json, text/html",
      "APPLICATION/JSON",
      "application/xml",
      "*/*",
    ]) {
      body(`content-type "${type}"`, json(extra), type ? { "content-type": type } : {});
    }
    body("chunked, broken", Buffer.from("zz\r\nabc\r\n0\r\n\r\n"), {
      ...jsonHeaders,
      "transfer-encoding": "chunked",
    });
  }
  if (route.multipart) {
    const target = fill(route.path, {});
    for (const [what, type, bytes] of [
      ["no boundary", "multipart/form-data", "--x\r\n\r\n"],
      ["garbage", "multipart/form-data; boundary=zzz", "not multipart at all"],
      [
        "unterminated",
        "multipart/form-data; boundary=b",
        '--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\nabc',
      ],
      ["json instead", "application/json", "{}"],
      [
        "field, no file",
        "multipart/form-data; boundary=b",
        '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--b--\r\n',
      ],
      [
        "not an image",
        "multipart/form-data; boundary=b",
        '--b\r\nContent-Disposition: form-data; name="file"; filename="../../etc/passwd"\r\nContent-Type: image/png\r\n\r\nnot a png\r\n--b--\r\n',
      ],
    ] as const) {
      add(`multipart ${what}`, {
        target,
        headers: { "content-type": type },
        body: Buffer.from(bytes),
      });
    }
  }
  const headerCases: [string, Record<string, string>][] = [
    ["authorization Bearer (empty)", { authorization: "Bearer " }],
    ["authorization huge", { authorization: `Bearer ${"a".repeat(6_000)}` }],
    ["authorization Basic", { authorization: "Basic Zm9vOmJhcg==" }],
    ["cookie garbage", { cookie: "strata_session=%ff%fe%; ;;=; a" }],
    ["cookie huge", { cookie: `strata_session=${"z".repeat(20_000)}` }],
    ["x-forwarded-for garbage", { "x-forwarded-for": "999.999.1.1, ::ffff:zzz, , unknown" }],
    ["x-forwarded-for ipv6", { "x-forwarded-for": "2001:db8::1%eth0" }],
    ["x-request-id garbage", { "x-request-id": "../../\u00ff".repeat(50) }],
    ["if-none-match garbage", { "if-none-match": 'W/"' + ",".repeat(5_000) }],
    ["accept-encoding odd", { "accept-encoding": "gzip;q=nan, *;q=-1" }],
  ];
  if (route.headers.includes("if-match")) {
    headerCases.push(
      ["if-match unquoted", { "if-match": "abc" }],
      ["if-match commas", { "if-match": ",".repeat(10_000) }],
      ["if-match huge version", { "if-match": '"99999999999999999999"' }],
      ["if-match weak", { "if-match": 'W/"1"' }],
    );
  }
  if (route.headers.includes("idempotency-key")) {
    headerCases.push(
      ["idempotency-key empty", { "idempotency-key": "" }],
      ["idempotency-key long", { "idempotency-key": "k".repeat(300) }],
      ["idempotency-key non-ASCII", { "idempotency-key": "clé\u00ff" }],
    );
  }
  for (const [what, headers] of headerCases) {
    // On writes the body stays invalid, so an accepted header still changes nothing.
    const invalidBody = route.body ? json({ unexpected: true }) : undefined;
    add(`header ${what}`, {
      target: fill(route.path, {}),
      headers: { ...(invalidBody ? { "content-type": "application/json" } : {}), ...headers },
      ...(invalidBody ? { body: invalidBody } : {}),
    });
  }
  return cases;
}

/** Methods the document does not list, and requests no route expects. */
export function globalCases(routes: Route[]): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const add = (
    what: string,
    method: string,
    target: string,
    headers: Record<string, string> = {},
  ) => cases.push({ route: "(any)", what, method, target, headers, asAdmin: false });
  const paths = [...new Set(routes.map((r) => fill(r.path, {})))];
  for (const path of paths) {
    for (const method of ["PUT", "OPTIONS", "TRACE", "FOO", "CONNECT"])
      add(`method ${method}`, method, path);
  }
  for (const target of [
    "/api/products/../users",
    "/api/./products",
    "//api//products",
    "/api/products/",
    "/api/products%2f1",
    "/api/%2e%2e/health",
    "/API/PRODUCTS",
    "/api/products/1/images/../../2",
    "/api/products?%",
    "/api/products#frag",
    "*",
    "http://example.invalid/api/products",
    "/api/products/\t1",
    "/%00",
    `/api/${"a/".repeat(2_000)}`,
    `/api/products?q=${"a".repeat(100_000)}`,
    "/api/products/%ef%bf%bf",
    "/api/products/%c0%ae%c0%ae/",
    "/.env",
    "/api/docs/../../etc/passwd",
  ]) {
    add(`path ${target.slice(0, 40)}`, "GET", target);
  }
  add("host header garbage", "GET", "/api/products", { host: "\u00ff:99999" });
  add("no host header", "GET", "/api/products", { host: "" });
  return cases;
}
