// Multi-document YAML on stdin to one JSON array on stdout (YAML 1.2 core types, as the API server reads them).
import { readFileSync } from "node:fs";
import yaml from "js-yaml";

const documents = yaml.loadAll(readFileSync(0, "utf8")).filter((d) => d !== null && d !== undefined);
process.stdout.write(JSON.stringify(documents));
