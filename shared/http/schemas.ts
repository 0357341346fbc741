/**
 * Every request and response shape of the REST API, by area (schemas/). Handlers validate with
 * them and import only their own area, so each bundle carries only its schemas; this module
 * gathers them all for tools/build/openapi.ts, the client's types and the tests.
 */
export * from "./schemas/accounts";
export * from "./schemas/brokering";
export * from "./schemas/common";
export * from "./schemas/tenants";
