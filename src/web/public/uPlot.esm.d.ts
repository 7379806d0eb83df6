// uPlot is served from node_modules/uplot/dist as /assets/uPlot.esm.js (static-assets.ts VENDOR_ASSETS),
// so the page imports it as a sibling; this tells the type checker that the sibling is the uplot package.
import uPlot from "uplot";
export default uPlot;
