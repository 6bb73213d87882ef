// Validates an OpenAPI document in a file with @apidevtools/swagger-parser:
// the OpenAPI 3.1 schema, then every $ref resolved. Prints "openapi valid: N paths" or the error.
import SwaggerParser from "@apidevtools/swagger-parser";

const source = process.argv[2];
if (!source) {
  console.error("usage: node validate_openapi.mjs <file>");
  process.exit(2);
}
try {
  const api = await SwaggerParser.validate(source);
  console.log(`openapi valid: ${Object.keys(api.paths).length} paths, version ${api.openapi}`);
} catch (e) {
  console.error(`openapi invalid: ${e.message}`);
  process.exit(1);
}
