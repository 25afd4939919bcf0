/**
 * What `require('sessionscope')` loads: the one ES module build, through require(esm) (Node
 * 20.19+), so CommonJS and ESM callers share module instances and `instanceof
 * ImproperlyConfigured` holds across both. Before that, the version check of node-version.ts,
 * repeated here because an older Node cannot require the ES module that holds it.
 */
const MINIMUM_NODE = '20.19.0';
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19))
  throw new Error(
    `sessionscope needs Node.js ${MINIMUM_NODE} or newer; this is Node.js ${process.version}. Upgrade Node (22 or 24 LTS recommended).`,
  );

export = require('./index.js');
