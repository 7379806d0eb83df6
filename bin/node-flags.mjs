// V8 flags every long-running `maskinport` process runs with (not the one-shot
// check-config). bin/maskinport.mjs adds them by re-executing itself
// (process.execve: the same PID, so systemd, Docker and signals still see one
// process); bench/opcua/run.sh starts its gateway with
// them too, so the benchmark measures what the product runs.
//
// --no-allocation-site-pretenuring: V8 watches which allocation sites' objects
// survive young-generation collections and, past 85 %, allocates that site's
// objects straight into the old generation. During start-up (configuration,
// OPC UA browse, certificates, the first publish responses, all while the heap
// grows fast) per-message sites cross that line, and the decision sticks: at
// 1k changes/s every message then fed the old generation and a full
// mark-compact ran every 7 s, 40 % of the gateway's CPU (bench/opcua/README.md,
// "Latest results"). Without it, messages die young as they should.
// Runtime v8.setFlagsFromString() does not reach this flag; it must be given
// on the command line.
export const NODE_FLAGS = ["--no-allocation-site-pretenuring"];
