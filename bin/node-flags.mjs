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
//
// --single-threaded-gc: a gateway's heap is small (≈ 65 MB live) and its load
// steady; V8's parallel scavenges and concurrent marking spread that little
// work over four helper threads, and waking and joining them cost more than
// the work. At 1k changes/s the helpers used 1.4 % of a core, almost as much
// as the gateway's main thread (1.7 %); with this flag they use 0.5 % and the
// process 2.5 % instead of 3.3 % (bench/opcua/README.md, "The default
// configuration at low load"). The one or two cores of a small shop PC are
// better left to the OPC UA server, the broker and the store.
//
// --max-semi-space-size=16 (MB): on a machine with a lot of memory V8 grows
// the young generation to 32 MB+ per semi-space, and a full mark-compact of
// the whole heap then ran every 5–6 s at 1k changes/s. With 16 MB the young
// collections come more often but stay cheap (2–7 ms), and the old
// generation's collections a third as often. A flag of the user's own on the
// command line comes after these and wins.
export const NODE_FLAGS = [
  "--no-allocation-site-pretenuring",
  "--single-threaded-gc",
  "--max-semi-space-size=16",
];
