// Driver of internal/deliverypaths: evaluates one case per line of stdin
// with @cloud-copilot/iam-simulate (from the repository's node_modules) and
// writes one result per line to stdout, in the same order.
//
// In:  {"simulation": <runSimulation's first argument>}
// Out: {"result": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied", "ignored": [...]}
//  or  {"error": "..."} when iam-simulate could not evaluate the case.
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';

const require = createRequire(process.argv[2] + '/package.json');
let runSimulation;
try {
  ({ runSimulation } = require('@cloud-copilot/iam-simulate'));
} catch (e) {
  process.stdout.write(JSON.stringify({ unavailable: String(e.message).split('\n')[0] }) + '\n');
  process.exit(0);
}
const pkg = JSON.parse(readFileSync(process.argv[2] + '/node_modules/@cloud-copilot/iam-simulate/package.json', 'utf8'));
process.stdout.write(JSON.stringify({ ready: pkg.version }) + '\n');

// Cases are evaluated one at a time so that results come back in order.
let queue = Promise.resolve();
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  queue = queue.then(async () => {
    let out;
    try {
      const { simulation } = JSON.parse(line);
      chinaServicePrincipals(simulation);
      const r = await runSimulation(simulation, {});
      if (r.resultType === 'single') {
        out = { result: r.overallResult, ignored: r.result.ignoredContextKeys ?? [] };
      } else if (r.resultType === 'error') {
        out = { error: JSON.stringify(r.errors) };
      } else {
        out = { error: 'wildcard resource: ' + r.resultType };
      }
    } catch (e) {
      out = { error: String(e && e.stack || e) };
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  });
  await queue;
}

// iam-simulate 0.1.173 takes a principal for a service principal only when it
// ends in "amazonaws.com" (@cloud-copilot/iam-utils isServicePrincipal), so
// China's "logs.cn-north-1.amazonaws.com.cn" would be judged as an unknown
// principal and refused whatever the policy says. Renaming every such name the
// same way, in the request and in the policies' Principal elements, keeps
// exact matching (a wrong name stays wrong) and lets it be judged as a service.
function chinaServicePrincipals(simulation) {
  const rename = (v) => (typeof v === 'string' && !v.startsWith('arn:') && v.endsWith('.amazonaws.com.cn'))
    ? v.slice(0, -'.amazonaws.com.cn'.length) + '.china.amazonaws.com' : v;
  simulation.request.principal = rename(simulation.request.principal);
  const principals = (p) => {
    if (p && typeof p === 'object' && p.Service !== undefined) {
      p.Service = Array.isArray(p.Service) ? p.Service.map(rename) : rename(p.Service);
    }
  };
  const policies = [simulation.resourcePolicy, ...(simulation.identityPolicies || []).map((x) => x.policy)];
  for (const doc of policies) {
    if (!doc) continue;
    for (const st of [].concat(doc.Statement || [])) {
      principals(st.Principal);
      principals(st.NotPrincipal);
    }
  }
}
