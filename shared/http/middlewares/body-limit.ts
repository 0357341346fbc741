import type { APIGatewayProxyEvent } from "aws-lambda";
import { BadRequestError } from "../../errors";
import type { HttpDeps } from "../handler";
import type { HttpMiddleware } from "./request-state";

function bodyBytes(event: APIGatewayProxyEvent): number {
  if (event.body === null || event.body === undefined) return 0;
  return event.isBase64Encoded
    ? Buffer.from(event.body, "base64").length
    : Buffer.byteLength(event.body, "utf8");
}

/** Refuses a body over `maxBodyBytes` (decoded, when base64) before anything parses it. */
export function bodyLimit(deps: () => Pick<HttpDeps, "maxBodyBytes">): HttpMiddleware {
  return {
    before: (request) => {
      const { maxBodyBytes } = deps();
      if (bodyBytes(request.event) > maxBodyBytes) {
        throw new BadRequestError(
          "BODY_TOO_LARGE",
          `The request body exceeds ${maxBodyBytes} bytes`,
        );
      }
    },
  };
}
