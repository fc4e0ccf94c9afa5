// Reads multi-document YAML on stdin and validates every object against the Kubernetes (and
// cert-manager) OpenAPI schema of its apiVersion and kind. Prints one line per problem; exits 1 if any.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import yaml from "js-yaml";

const require = createRequire(import.meta.url);
const documents = yaml.loadAll(readFileSync(0, "utf8")).filter((d) => d !== null && d !== undefined);
let problems = 0;

function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const candidates = group.endsWith("cert-manager.io")
    ? [`@kubernetes-models/cert-manager/${group}/${version}/${kind}`]
    : [group === "" ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`,
       `kubernetes-models/${group.replace(/\.k8s\.io$/, "")}/${version}/${kind}`];
  for (const path of candidates) {
    try {
      return require(path)[kind];
    } catch {
      // try the next spelling of the group
    }
  }
  return undefined;
}

for (const document of documents) {
  const name = `${document.kind}/${document.metadata?.name ?? "(unnamed)"}`;
  const Model = modelFor(document.apiVersion ?? "", document.kind ?? "");
  if (!Model) {
    console.log(`${name}: no schema for ${document.apiVersion} ${document.kind}`);
    problems++;
    continue;
  }
  try {
    new Model(document).validate();
  } catch (error) {
    console.log(`${name}: ${error.message}`);
    problems++;
  }
}

console.log(`${documents.length} objects, ${problems} problems`);
process.exit(problems === 0 ? 0 : 1);
