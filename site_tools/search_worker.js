// Run Material's search worker in Node, as the browser does, on an index and a query.
// Reads {"worker": path, "index": {config, docs}, "query": text} on stdin; prints the result's
// items as JSON: one list per page, each item [location, {term: matched}].
// Used by site_tools/search_worker.py.
"use strict";
const fs = require("fs");
const vm = require("vm");

const request = JSON.parse(fs.readFileSync(0, "utf8"));
const listeners = [];
const sandbox = {
  console,
  setTimeout,
  addEventListener: (type, listener) => listeners.push(listener),
  postMessage: message => {
    if (message.type === 3) // RESULT
      process.stdout.write(JSON.stringify(
        message.data.items.map(page => page.map(item => [item.location, item.terms]))))
  },
};
sandbox.self = sandbox;
vm.createContext(sandbox);
vm.runInContext(fs.readFileSync(request.worker, "utf8"), sandbox);

(async () => {
  const setup = { ...request.index, options: { suggest: false } };
  for (const listener of listeners) await listener({ data: { type: 0, data: setup } }); // SETUP
  for (const listener of listeners) await listener({ data: { type: 2, data: request.query } }); // QUERY
})();
