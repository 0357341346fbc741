/**
 * Generates docs/openapi.yaml (OpenAPI 3.1) from the routes of the function modules
 * (functions/<area>/<name>.ts) and the zod schemas the handlers validate with, and from the
 * document the client package's types (client/src/api-types.ts) and operation table
 * (client/src/operations.ts). `npm run openapi` writes them; the contract test fails when one is
 * stale.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import {
  globalRegistry,
  toJSONSchema,
  type ZodMiniObject as ZodObject,
  ZodMiniOptional as ZodOptional,
  type ZodMiniType as ZodType,
} from "zod/mini";
import { loadFunctions, routesOf } from "../../infra/functions";
import type { RouteDef } from "../../shared/http/route-def";
import { ErrorResponse } from "../../shared/http/schemas";
import { ROOT } from "../local-aws/local-stack";

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const uri = (id: string) => `#/components/schemas/${id}`;

function strip(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

function schemaOf(schema: ZodType, io: "input" | "output"): Record<string, unknown> {
  // An optional named schema is documented as the named schema (optionality is `required`).
  const inner = schema instanceof ZodOptional ? (schema._zod.def.innerType as ZodType) : schema;
  const id = globalRegistry.get(inner)?.id;
  if (id) return ref(id);
  return strip(
    toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as Record<
      string,
      unknown
    >,
  );
}

function parameters(schema: ZodObject | undefined, where: "path" | "query") {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => {
    const optional = (field as ZodType).safeParse(undefined).success;
    const json = schemaOf(field as ZodType, "input");
    const description =
      (json.description as string | undefined) ?? globalRegistry.get(field as ZodType)?.description;
    const { description: _d, ...paramSchema } = json;
    return {
      name,
      in: where,
      required: where === "path" ? true : !optional,
      ...(description ? { description } : {}),
      schema: paramSchema,
    };
  });
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad request",
  401: "Missing, unknown or revoked API key",
  403: "This key's role may not do this",
  404: "Not found (or not visible to this key)",
  409: "Conflicts with the current state",
  415: "Body is not JSON",
  422: "The role did not verify; nothing was stored. The code says why, the message what to do",
  502: "The tenant's AWS account refused the control plane",
  503: "A dependency is busy; retry after Retry-After seconds",
};

const IDEMPOTENCY_KEY_HEADER = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "Makes a retry safe: the same key from the same API key with the same request gets the first answer again (for 24 hours) and changes nothing. 1 to 255 printable ASCII characters.",
  schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7e]+$" },
};

function operation(route: RouteDef) {
  const responses: Record<string, unknown> = {
    [String(route.success.status)]: {
      description: route.success.description,
      ...(route.success.schema
        ? { content: { "application/json": { schema: schemaOf(route.success.schema, "output") } } }
        : {}),
    },
  };
  const alternate = route.success.alternate;
  if (alternate) {
    responses[String(alternate.status)] = {
      description: alternate.description,
      ...(route.success.schema
        ? { content: { "application/json": { schema: schemaOf(route.success.schema, "output") } } }
        : {}),
    };
  }
  for (const [status, codes] of Object.entries(route.errors)) {
    responses[status] = {
      description: `${STATUS_TEXT[Number(status)]}. Codes: ${(codes ?? []).join(", ")}.`,
      ...(status === "503"
        ? {
            headers: {
              "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait" },
            },
          }
        : {}),
      content: { "application/json": { schema: ref("Error") } },
      "x-error-codes": codes,
    };
  }
  responses["500"] = {
    description: "Internal error (a bug); the body says nothing more. Code: INTERNAL_ERROR.",
    content: { "application/json": { schema: ref("Error") } },
  };
  const auth =
    route.auth === "public"
      ? "no key"
      : `roles: ${route.auth.join(", ")}${route.tenantScoped ? " (a tenant key: its own tenant only)" : ""}`;
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: `Authorization: ${auth}.`,
    tags: [route.tag],
    ...(route.auth === "public" ? { security: [] } : {}),
    ...(route.params || route.query || route.idempotent
      ? {
          parameters: [
            ...parameters(route.params, "path"),
            ...parameters(route.query, "query"),
            ...(route.idempotent ? [IDEMPOTENCY_KEY_HEADER] : []),
          ],
        }
      : {}),
    ...(route.body
      ? {
          requestBody: {
            // An optional body (rotateExternalId's): no body at all is a valid request.
            required: !route.body.safeParse(undefined).success,
            content: { "application/json": { schema: schemaOf(route.body, "input") } },
          },
        }
      : {}),
    responses,
  };
}

/** The document for these routes (every operation's, by default). */
export function buildOpenApi(routes: readonly RouteDef[]) {
  // Touch ErrorResponse so its registration is certain even if no route imports it.
  void ErrorResponse;
  const components = toJSONSchema(globalRegistry, {
    target: "draft-2020-12",
    uri,
    unrepresentable: "any",
  }) as {
    schemas: Record<string, Record<string, unknown>>;
  };
  const paths: Record<string, Record<string, unknown>> = {};
  // Grouped by tag, in the order of the tags below; by operationId within a tag.
  const order = ["health", "tenants", "accounts", "brokering", "organizations"];
  const sorted = [...routes].sort(
    (a, b) =>
      order.indexOf(a.tag) - order.indexOf(b.tag) || a.operationId.localeCompare(b.operationId),
  );
  for (const route of sorted) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Cross-account access control plane",
      // The version is written once, in package.json.
      version: JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version,
      description:
        "Multi-tenant control plane for AWS cross-account access. Every error has the shape " +
        '{"error": {"code", "message"}, "requestId"}; client mistakes are 4xx with a stable code, never 5xx.',
    },
    servers: [{ url: "http://localhost:3000", description: "npm start" }],
    security: [{ bearer: [] }],
    tags: [
      {
        name: "health",
        description: "Liveness and readiness; the scheduled health checks of tenant accounts",
      },
      { name: "tenants", description: "Tenants, their external IDs, and API keys" },
      {
        name: "accounts",
        description:
          "Tenant AWS accounts: onboarding link, registration, verification, emergency brake",
      },
      {
        name: "brokering",
        description: "Permission sets, grants, sessions and the audit trails",
      },
      {
        name: "organizations",
        description: "AWS Organizations: connect a tenant's organization and keep it in sync",
      },
    ],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "An API key: Authorization: Bearer <key>",
        },
      },
      schemas: Object.fromEntries(
        Object.entries(components.schemas)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => [k, strip(v)]),
      ),
    },
  };
}

/** Every operation's route, from the function modules (loaded with tsx's require). */
export function allRoutes(): RouteDef[] {
  return Object.values(routesOf(loadFunctions()));
}

export function renderOpenApi(routes: readonly RouteDef[] = allRoutes()): string {
  return `# Generated by tools/build/openapi.ts from the routes in functions/ and their schemas: do not edit.\n${stringify(buildOpenApi(routes), { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

/** The client package's operation table: method and path of every operation in the document. */
export const CLIENT_OPERATIONS = join(ROOT, "client/src/operations.ts");

export function renderClientOperations(openapi: string): string {
  const doc = parse(openapi) as { paths: Record<string, Record<string, { operationId: string }>> };
  const rows = Object.entries(doc.paths)
    .flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ id: op.operationId, method, path })),
    )
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((op) => `  ${op.id}: { method: "${op.method.toUpperCase()}", path: "${op.path}" },`);
  return [
    "// Generated by tools/build/openapi.ts from docs/openapi.yaml (npm run openapi): do not edit.",
    "",
    "/** Method and path of every operation, so that the client needs no server code at run time. */",
    "export const OPERATIONS = {",
    ...rows,
    "} as const;",
    "",
  ].join("\n");
}

/** The client package's types, generated from the document (openapi-typescript). */
export const CLIENT_TYPES = join(ROOT, "client/src/api-types.ts");

export function renderClientTypes(openapiFile: string, outFile: string): string {
  execFileSync(
    process.execPath,
    [join(ROOT, "node_modules/openapi-typescript/bin/cli.js"), openapiFile, "--output", outFile],
    { stdio: "ignore" },
  );
  return readFileSync(outFile, "utf8");
}

if (process.argv[1]?.endsWith("openapi.ts")) {
  const openapi = renderOpenApi();
  writeFileSync(join(ROOT, "docs/openapi.yaml"), openapi);
  renderClientTypes(join(ROOT, "docs/openapi.yaml"), CLIENT_TYPES);
  writeFileSync(CLIENT_OPERATIONS, renderClientOperations(openapi));
  console.log("wrote docs/openapi.yaml, client/src/api-types.ts and client/src/operations.ts");
}
