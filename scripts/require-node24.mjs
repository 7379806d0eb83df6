// npm scripts must run under the Node 24 that the `node` devDependency installs
// (node_modules/.bin comes first on PATH inside npm scripts). Calling a tool's
// .bin shim directly uses the system Node instead; fail early and say why.
const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  console.error(
    `maskinport needs Node 24, but this is Node ${process.versions.node}.\n` +
      "Run it through npm (npm test, npm start, npx maskinport …) so that the project's own Node 24 is used,\n" +
      "or run `npm rebuild node` if node_modules/node/bin/node is missing (an install with --ignore-scripts skips it).",
  );
  process.exit(1);
}
